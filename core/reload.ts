/**
 * Hot reload: build → validate → swap, all or nothing.
 *
 *   file change ─► Reloader.reload() ─► load + build a new Pipeline
 *        ok  ─► holder.swap(new)   old pipeline retires; closed when its last request ends
 *        bad ─► keep the running pipeline; remember the error (with file:line:col) for /admin/config
 *
 * Reloads run one at a time; a change that arrives during a build triggers one more build.
 * A request keeps the pipeline it acquired until its response closes.
 */
import type { Logger } from './contracts.js';
import { ConfigError, type ConfigProblem, type ConfigWarning } from './config-errors.js';
import type { Pipeline } from './pipeline.js';

interface Tracked {
  readonly pipeline: Pipeline;
  inflight: number;
  retired: boolean;
  closing?: Promise<void>;
}

export class PipelineHolder {
  private tracked: Tracked;
  private readonly byPipeline = new WeakMap<Pipeline, Tracked>();
  private readonly retiring = new Set<Tracked>();
  private readonly swapListeners = new Set<(next: Pipeline, previous: Pipeline) => void>();

  constructor(initial: Pipeline, private readonly logger: Logger) {
    this.tracked = this.track(initial);
  }

  private track(pipeline: Pipeline): Tracked {
    const tracked: Tracked = { pipeline, inflight: 0, retired: false };
    this.byPipeline.set(pipeline, tracked);
    return tracked;
  }

  get current(): Pipeline {
    return this.tracked.pipeline;
  }

  /** Requests running now, on the current pipeline and on retired ones. */
  get inflight(): number {
    let count = this.tracked.inflight;
    for (const tracked of this.retiring) count += tracked.inflight;
    return count;
  }

  /** The pipeline a new request runs on; pair every acquire with one release. */
  acquire(): Pipeline {
    this.tracked.inflight++;
    return this.tracked.pipeline;
  }

  release(pipeline: Pipeline): void {
    const tracked = this.byPipeline.get(pipeline);
    if (!tracked) return;
    tracked.inflight--;
    if (tracked.retired && tracked.inflight === 0) this.close(tracked);
  }

  onSwap(listener: (next: Pipeline, previous: Pipeline) => void): () => void {
    this.swapListeners.add(listener);
    return () => this.swapListeners.delete(listener);
  }

  swap(next: Pipeline): void {
    const previous = this.tracked;
    this.tracked = this.track(next);
    previous.retired = true;
    for (const listener of this.swapListeners) listener(next, previous.pipeline);
    if (previous.inflight === 0) this.close(previous);
    else this.retiring.add(previous);
  }

  private close(tracked: Tracked): void {
    this.retiring.delete(tracked);
    tracked.closing ??= tracked.pipeline.close().catch((error: unknown) => {
      this.logger.error({ err: error, version: tracked.pipeline.version }, 'closing a retired pipeline failed');
    });
  }

  /** Closes the current pipeline and every retired one (shutdown). */
  async closeAll(): Promise<void> {
    const all = [this.tracked, ...this.retiring];
    this.tracked.retired = true;
    await Promise.all(all.map((tracked) => {
      this.close(tracked);
      return tracked.closing;
    }));
  }
}

export interface ReloadError {
  readonly message: string;
  readonly code: string;
  readonly file: string;
  readonly line: number | null;
  readonly column: number | null;
  readonly pointer: string | null;
  readonly at: string;
  /** What `labelgate check` prints for the same file: the first problem with its source line and a caret, a few more, a count. */
  readonly report: string;
  readonly problems: readonly ConfigProblem[];
}

export interface ConfigStatus {
  readonly version: number;
  readonly loadedAt: string;
  readonly file: string;
  readonly hash: string;
  /** Rules of the config in force left out of the disjointness proof (`unproven: true`, regex not analysable). */
  readonly unprovenRules: number;
  /** Warnings of the config in force, as `labelgate check` lists them. */
  readonly warnings: readonly ConfigWarning[];
  readonly error: ReloadError | null;
}

export type ReloadOutcome = { readonly ok: true; readonly changed: boolean; readonly version: number } | { readonly ok: false; readonly error: ReloadError };

export function toReloadError(error: unknown, file: string): ReloadError {
  const at = new Date().toISOString();
  if (error instanceof ConfigError) {
    const [first] = error.problems;
    return {
      message: first?.message ?? error.message, code: error.code, file: first?.file ?? file,
      line: first?.line ?? null, column: first?.column ?? null, pointer: first?.pointer ?? null, at, report: error.message, problems: error.problems,
    };
  }
  const message = (error as Error).message;
  return { message, code: 'LG_ERR_CONFIG_INVALID', file, line: null, column: null, pointer: null, at, report: message, problems: [] };
}

export class Reloader {
  private running: Promise<ReloadOutcome> | undefined;
  private again = false;
  private lastError: ReloadError | null = null;
  private readonly outcomeListeners = new Set<(outcome: ReloadOutcome) => void>();

  constructor(
    private readonly holder: PipelineHolder,
    /** Loads and builds the next pipeline, or returns undefined when nothing changed. */
    private readonly build: (current: Pipeline) => Promise<Pipeline | undefined>,
    private readonly logger: Logger,
  ) {}

  status(): ConfigStatus {
    const pipeline = this.holder.current;
    return {
      version: pipeline.version, loadedAt: pipeline.loadedAt.toISOString(), file: pipeline.file, hash: pipeline.hash,
      unprovenRules: pipeline.warnings.filter((warning) => warning.code === 'LG_WARN_CONFIG_UNPROVEN').length,
      warnings: pipeline.warnings,
      error: this.lastError,
    };
  }

  /** Every reload that swapped a pipeline in or was refused (not those that found nothing changed). */
  onOutcome(listener: (outcome: ReloadOutcome) => void): () => void {
    this.outcomeListeners.add(listener);
    return () => this.outcomeListeners.delete(listener);
  }

  reload(): Promise<ReloadOutcome> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.runLoop().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runLoop(): Promise<ReloadOutcome> {
    let outcome: ReloadOutcome;
    do {
      this.again = false;
      outcome = await this.runOnce();
      if (!outcome.ok || outcome.changed) for (const listener of this.outcomeListeners) listener(outcome);
    } while (this.again);
    return outcome;
  }

  private async runOnce(): Promise<ReloadOutcome> {
    const current = this.holder.current;
    try {
      const next = await this.build(current);
      if (!next) {
        // The file matches the config in force again: whatever failed before no longer applies.
        this.lastError = null;
        return { ok: true, changed: false, version: current.version };
      }
      this.holder.swap(next);
      this.lastError = null;
      this.logger.info({ version: next.version, file: next.file }, 'config reloaded');
      return { ok: true, changed: true, version: next.version };
    } catch (error) {
      this.lastError = toReloadError(error, current.file);
      this.logger.error({ file: this.lastError.file, line: this.lastError.line, column: this.lastError.column, pointer: this.lastError.pointer, code: this.lastError.code }, `config reload refused, version ${current.version} stays:\n${this.lastError.report}`);
      return { ok: false, error: this.lastError };
    }
  }
}
