/**
 * Watches the config file and the plugin files it names (chokidar), debounced, and asks for a
 * reload. Editors that save by writing a temporary file and renaming it are handled by
 * chokidar's `atomic` mode. The watched set follows the pipeline in force.
 */
import chokidar, { type FSWatcher } from 'chokidar';

export class ConfigWatcher {
  private readonly watcher: FSWatcher;
  private watched = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(files: readonly string[], private readonly debounceMs: number, private readonly onChange: () => void) {
    this.watcher = chokidar.watch([], { ignoreInitial: true, atomic: true, persistent: false });
    this.watcher.on('all', () => this.schedule());
    this.setFiles(files);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onChange, this.debounceMs);
  }

  setFiles(files: readonly string[]): void {
    const next = new Set(files);
    const removed = [...this.watched].filter((file) => !next.has(file));
    const added = [...next].filter((file) => !this.watched.has(file));
    if (removed.length > 0) this.watcher.unwatch(removed);
    if (added.length > 0) this.watcher.add(added);
    this.watched = next;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    await this.watcher.close();
  }
}
