/** Progress and warnings; the CLI writes them to stderr, the Action to its log. */
export interface Logger {
  info(message: string): void;
  warning(message: string): void;
}

export const quietLogger: Logger = { info: () => {}, warning: () => {} };

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
  };
}
