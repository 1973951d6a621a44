/**
 * The jobs part: a durable queue in PostgreSQL (`queue.ts`: createJob, updateJobStatus,
 * getJobStatus, claim/lease/complete) and a worker (`worker.ts`) that runs one handler per job
 * type. Jobs survive restarts; a dead worker's job is claimed again when its lease expires, and
 * output plus completion commit in one transaction so each job's output lands exactly once.
 */
export * from './queue.js';
export * from './worker.js';
