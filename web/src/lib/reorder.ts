/**
 * The arithmetic of reordering a list, shared by pointer drags (mouse and touch) and the
 * keyboard: pure so it is tested apart from the DOM.
 */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length) return [...list];
  const target = Math.max(0, Math.min(list.length - 1, to));
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(target, 0, item as T);
  return next;
}

/**
 * Where a dragged row lands: the index of the first other row whose vertical middle is below
 * the pointer, counted without the dragged row itself. `middles` are the rows' midpoints in order.
 */
export function dropIndex(middles: readonly number[], from: number, pointerY: number): number {
  let index = 0;
  for (let i = 0; i < middles.length; i++) {
    if (i === from) continue;
    if (pointerY > (middles[i] as number)) index++;
  }
  return index;
}

/** The new index for a key press on a picked-up row, or null when the key does not move it. */
export function keyMove(key: string, index: number, length: number): number | null {
  switch (key) {
    case 'ArrowUp':
      return Math.max(0, index - 1);
    case 'ArrowDown':
      return Math.min(length - 1, index + 1);
    case 'Home':
      return 0;
    case 'End':
      return length - 1;
    default:
      return null;
  }
}
