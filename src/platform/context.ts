import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import type { FileStore } from './files.ts';

/** The minimal logger the services use (pino's shape). */
export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** Side effects injected into services, so tests can hand in fakes. */
export interface Deps {
  database: Database;
  clock: Clock;
  config: Config;
  files: FileStore;
  logger: Logger;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A logger whose destination is set later (the HTTP framework's logger is created with the app). */
export class DelegatingLogger implements Logger {
  target: Logger = silentLogger;
  info(obj: unknown, msg?: string): void {
    this.target.info(obj, msg);
  }
  warn(obj: unknown, msg?: string): void {
    this.target.warn(obj, msg);
  }
  error(obj: unknown, msg?: string): void {
    this.target.error(obj, msg);
  }
}
