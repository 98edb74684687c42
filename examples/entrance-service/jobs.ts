/**
 * The example entrance's jobs: each submission gets a Linkis exec ID that encodes this
 * instance (`exec_id` + lengths + application + host:port + short id), so the gateway can send
 * every later request about the job (status, progress, log, kill) back here, even after the
 * instance has been taken out of default traffic. Jobs "run" for a fixed time and succeed.
 */
import { decodeExecId, encodeExecId } from '../../plugins/parsers/exec-id.js';

export type JobStatus = 'Running' | 'Succeed' | 'Cancelled';

export interface Job {
  readonly taskID: number;
  readonly execID: string;
  readonly user: string;
  readonly code: string;
  readonly submittedAt: number;
  cancelledAt?: number;
}

export class JobTable {
  private readonly jobs = new Map<string, Job>();
  private nextTask = 1;

  constructor(private readonly application: string, private readonly instance: string, private readonly runMs: number) {}

  submit(user: string, engine: string, code: string): Job {
    const taskID = this.nextTask++;
    // Linkis's short id is <creator>_<user>_<engine>_<index>; keep it to characters the format allows.
    const safe = (text: string) => text.replace(/[^A-Za-z0-9]/g, '') || 'x';
    const execID = encodeExecId(this.application, this.instance, `IDE_${safe(user)}_${safe(engine)}_${taskID}`);
    const job: Job = { taskID, execID, user, code, submittedAt: Date.now() };
    this.jobs.set(execID, job);
    return job;
  }

  /** The job, when the exec ID is well-formed, names this instance and is known here. */
  find(execID: string): Job | undefined {
    try {
      if (decodeExecId(execID).instance !== this.instance) return undefined;
    } catch {
      return undefined;
    }
    return this.jobs.get(execID);
  }

  status(job: Job): JobStatus {
    if (job.cancelledAt !== undefined) return 'Cancelled';
    return Date.now() - job.submittedAt >= this.runMs ? 'Succeed' : 'Running';
  }

  progress(job: Job): number {
    const end = job.cancelledAt ?? Date.now();
    return Math.min(1, Math.round(((end - job.submittedAt) / this.runMs) * 100) / 100);
  }

  log(job: Job): string[] {
    const lines = [`${new Date(job.submittedAt).toISOString()} INFO job ${job.taskID} accepted by ${this.instance} for ${job.user}`, `running: ${job.code}`];
    const status = this.status(job);
    if (status !== 'Running') lines.push(`job ${job.taskID} ${status === 'Succeed' ? 'succeeded' : 'was killed'}`);
    // Linkis returns four log levels: error, warn, info, all.
    return ['', '', lines.join('\n'), lines.join('\n')];
  }

  kill(job: Job): void {
    if (this.status(job) === 'Running') job.cancelledAt = Date.now();
  }

  get running(): number {
    return [...this.jobs.values()].filter((job) => this.status(job) === 'Running').length;
  }
}
