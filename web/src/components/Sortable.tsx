import type { ComponentChildren } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { dropIndex, keyMove, moveItem } from '../lib/reorder';

/**
 * A list reordered by dragging its handles (pointer events: mouse, pen and touch alike) or from
 * the keyboard (Space picks a row up, arrows move it, Space or Enter drops, Escape cancels).
 * Every move is announced in a live region for screen readers.
 */
export interface SortableItem {
  key: string;
  label: string;
  content: ComponentChildren;
}

export function Sortable({ items, onReorder }: { items: SortableItem[]; onReorder: (keys: string[]) => void }) {
  const listRef = useRef<HTMLOListElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number; dy: number } | null>(null);
  const [held, setHeld] = useState<{ key: string; original: string[] } | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const start = useRef<{ y: number; middles: number[] } | null>(null);
  const keys = items.map((i) => i.key);

  const onPointerDown = (index: number) => (e: PointerEvent) => {
    if (e.button !== 0) return;
    const rows = [...(listRef.current?.children ?? [])] as HTMLElement[];
    start.current = { y: e.clientY, middles: rows.map((r) => r.getBoundingClientRect().top + r.offsetHeight / 2) };
    (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
    setDrag({ from: index, to: index, dy: 0 });
    e.preventDefault();
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!drag || !start.current) return;
    const { y, middles } = start.current;
    setDrag({ ...drag, dy: e.clientY - y, to: dropIndex(middles, drag.from, (middles[drag.from] ?? y) + e.clientY - y) });
  };
  const onPointerUp = () => {
    if (!drag) return;
    const { from, to } = drag;
    setDrag(null);
    start.current = null;
    if (from !== to) {
      onReorder(moveItem(keys, from, to));
      setAnnouncement(`Moved ${items[from]?.label} to position ${to + 1} of ${items.length}.`);
    }
  };

  const focusHandle = (key: string) =>
    requestAnimationFrame(() => listRef.current?.querySelector<HTMLElement>(`[data-handle="${CSS.escape(key)}"]`)?.focus());

  const onKeyDown = (index: number, item: SortableItem) => (e: KeyboardEvent) => {
    if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      if (held) {
        setHeld(null);
        setAnnouncement(`Dropped ${item.label} at position ${index + 1} of ${items.length}.`);
      } else {
        setHeld({ key: item.key, original: keys });
        setAnnouncement(`Picked up ${item.label}, position ${index + 1} of ${items.length}. Use the arrow keys to move it, Space to drop it.`);
      }
      return;
    }
    if (e.key === 'Escape' && held) {
      e.preventDefault();
      onReorder(held.original);
      setHeld(null);
      setAnnouncement(`Cancelled: ${item.label} is back where it was.`);
      focusHandle(item.key);
      return;
    }
    if (!held) return;
    const to = keyMove(e.key, index, items.length);
    if (to === null) return;
    e.preventDefault();
    if (to !== index) {
      onReorder(moveItem(keys, index, to));
      setAnnouncement(`${item.label} moved to position ${to + 1} of ${items.length}.`);
      focusHandle(item.key);
    }
  };

  return (
    <>
      <p id="sortable-help" class="hint">
        Drag a row by its handle, or focus the handle and press Space, then the arrow keys, then Space again.
      </p>
      <ol class="sortable" ref={listRef}>
        {items.map((item, index) => {
          const dragging = drag?.from === index;
          const shift =
            drag && !dragging
              ? drag.from < index && index <= drag.to
                ? -1
                : drag.to <= index && index < drag.from
                  ? 1
                  : 0
              : 0;
          return (
            <li
              key={item.key}
              class={`sortable-row${dragging ? ' dragging' : ''}${held?.key === item.key ? ' held' : ''}`}
              style={dragging ? { transform: `translateY(${drag.dy}px)` } : shift ? { transform: `translateY(${shift * 100}%)` } : undefined}
              data-key={item.key}
            >
              <button
                type="button"
                class="handle"
                data-handle={item.key}
                aria-label={`Move ${item.label}, position ${index + 1} of ${items.length}`}
                aria-describedby="sortable-help"
                aria-pressed={held?.key === item.key}
                onPointerDown={onPointerDown(index)}
                onPointerMove={onPointerMove}
                onPointerUp={onPointerUp}
                onPointerCancel={() => {
                  setDrag(null);
                  start.current = null;
                }}
                onKeyDown={onKeyDown(index, item)}
                onBlur={() => held?.key === item.key && setHeld(null)}
              >
                <span aria-hidden="true">⠿</span>
              </button>
              <div class="sortable-content">{item.content}</div>
            </li>
          );
        })}
      </ol>
      <p class="visually-hidden" aria-live="assertive">
        {announcement}
      </p>
    </>
  );
}
