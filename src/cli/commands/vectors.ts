import { InvalidArgumentError, type Command } from 'commander';
import { moveVectorStore, reindex, repairVectors, verifyVectors, type VectorDrift, type VectorStoreKind } from '../../services/vectors.js';
import type { CliEnv } from '../env.js';
import { createProgress, printJson } from '../output.js';

/** `vectors verify|repair` and `reindex --to`: reconciling PostgreSQL with the vector store. */

/** Exit code of `vectors verify` when the store and the rows differ. */
export const DRIFT_EXIT = 7;
const SHOWN = 20;

export function parseStore(value: string): VectorStoreKind {
  if (value !== 'qdrant' && value !== 'pgvector') throw new InvalidArgumentError('must be qdrant or pgvector');
  return value;
}

function describe(d: VectorDrift): string {
  const lines = [
    `${d.store}: ${d.rows} exercises, ${d.vectors} vectors, ${d.outboxPending} outbox entries pending`,
    `drift: ${d.drift} (missing ${d.missing.length}, extra ${d.extra.length}, other model ${d.otherModel.length}${d.mismatch ? ', collection mismatch' : ''})`,
  ];
  if (d.mismatch) lines.push(`  ${d.mismatch}`);
  for (const [label, ids] of [['missing', d.missing], ['extra', d.extra], ['other model', d.otherModel]] as const) {
    for (const id of ids.slice(0, SHOWN)) lines.push(`  ${label} ${id}`);
    if (ids.length > SHOWN) lines.push(`  ... and ${ids.length - SHOWN} more ${label}`);
  }
  return `${lines.join('\n')}\n`;
}

export function registerVectorCommands(program: Command, env: CliEnv): void {
  const json = () => program.opts().json as boolean;
  program
    .command('reindex')
    .description('embed every exercise that has no vector for the current model (resumable)')
    .option('--to <store>', 'fill another vector store (qdrant or pgvector) from the rows, to switch VECTOR_STORE to it', parseStore)
    .action(async (opts: { to?: VectorStoreKind }) => {
      if (opts.to) return runMove(env, opts.to, json());
      await env.withContext(async (ctx) => {
        const progress = createProgress('reindex', json());
        const result = await reindex(ctx, { onProgress: (p) => progress.update(p.done, p.total) });
        progress.stop();
        if (json()) printJson(result);
        else process.stdout.write(`embedded ${result.embedded} exercises with ${result.model}${result.reset ? ' (index rebuilt for the new model)' : ''}\n`);
      });
    });
  const vectors = program.command('vectors').description('compare and reconcile the vector store with the exercise rows');
  vectors
    .command('verify')
    .description(`compare ids, model and dimensions; prints the drift, exit ${DRIFT_EXIT} when there is any`)
    .action(async () =>
      env.withContext(async (ctx) => {
        const drift = await verifyVectors(ctx);
        if (json()) printJson(drift);
        else process.stdout.write(describe(drift));
        if (drift.drift > 0) process.exitCode = DRIFT_EXIT;
      }),
    );
  vectors
    .command('repair')
    .description('push what is missing or of another model, remove what has no row, then wait for the outbox to drain')
    .action(async () =>
      env.withContext(async (ctx) => {
        const found = await repairVectors(ctx);
        const after = await verifyVectors(ctx);
        if (json()) printJson({ before: found, after });
        else process.stdout.write(`repaired ${found.drift} differences; drift now ${after.drift}\n`);
        if (after.drift > 0) process.exitCode = DRIFT_EXIT;
      }),
    );
}

/** `reindex --to <store>`: fills the other store, after which VECTOR_STORE may point at it. */
export async function runMove(env: CliEnv, to: VectorStoreKind, asJson: boolean): Promise<void> {
  await env.withContext(async (ctx) => {
    const progress = createProgress(`reindex to ${to}`, asJson);
    const result = await moveVectorStore(ctx, to, { onProgress: (p) => progress.update(p.done, p.total) });
    progress.stop();
    if (asJson) printJson(result);
    else process.stdout.write(`${to} holds a vector for every exercise (${result.embedded} embedded); set VECTOR_STORE=${to} and restart\n`);
  });
}
