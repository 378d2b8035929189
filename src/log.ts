/** Progress and warnings; the CLI writes them to stderr, the Action to its log. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  /** One phase of the build; the Action folds each into a log group. */
  group<T>(name: string, phase: () => Promise<T> | T): Promise<T>;
  /** A credential found on the way (in a docker config, say), for the Action to mask in its log. */
  secret?(value: string): void;
}

export const quietLogger: Logger = { info: () => {}, warning: () => {}, group: (_name, phase) => Promise.resolve(phase()) };

/** Says each distinct warning once: one failing cache says so once, not per layer. */
export function onceEach(log: Logger): Logger {
  const said = new Set<string>();
  return {
    info: (m) => log.info(m),
    warning: (m) => {
      if (said.has(m)) return;
      said.add(m);
      log.warning(m);
    },
    group: (name, phase) => log.group(name, phase),
    secret: (value) => log.secret?.(value),
  };
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/**
 * Bytes done of a known total, said every few seconds while a long phase
 * runs, so that a slow build never looks hung.
 */
export class Progress {
  private done = 0;
  private said = -1;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
    private readonly total: number,
    everyMs = 5000,
  ) {
    this.timer = setInterval(() => this.report(), everyMs);
    this.timer.unref();
  }

  add(n: number): void {
    this.done += n;
  }

  end(): void {
    clearInterval(this.timer);
  }

  private report(): void {
    // Nothing to do, nothing to say.
    if (this.done === this.said || this.total === 0) return;
    this.said = this.done;
    const percent = this.total > 0 ? ` (${Math.min(100, Math.floor((100 * this.done) / this.total))}%)` : '';
    this.log.info(`${this.what}: ${formatBytes(this.done)} of ${formatBytes(this.total)}${percent}`);
  }
}
