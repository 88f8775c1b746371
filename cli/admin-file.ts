import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../core/errors.ts';

/**
 * PGlite is single-process: while a server holds the data dir, nothing else may open the
 * database. The server announces itself in <dataDir>/admin.json — first just its pid (while it
 * starts), then the URL and token of its loopback-only admin endpoint — and removes the file
 * after it has closed the database. The CLI goes through that endpoint while the file names a
 * live process, and opens the database itself otherwise.
 */
export const ADMIN_FILE = 'admin.json';

export interface AdminInfo {
  pid: number;
  url?: string;
  token?: string;
}

export const adminFilePath = (dataDir: string) => path.join(dataDir, ADMIN_FILE);

export function readAdminInfo(dataDir: string): AdminInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(adminFilePath(dataDir), 'utf8'));
    return Number.isInteger(info?.pid) ? info : null;
  } catch {
    return null;
  }
}

/** Written to a temp file and renamed, so a reader never sees half a token. Owner-only (0600). */
export function writeAdminInfo(dataDir: string, info: AdminInfo): void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = adminFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Removes the file only if it is still ours (a later server may have replaced a stale one). */
export function removeAdminInfo(dataDir: string): void {
  if (readAdminInfo(dataDir)?.pid === process.pid) fs.rmSync(adminFilePath(dataDir), { force: true });
}

export function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live server holding this data dir, if any (a file left by a dead process is ignored). */
export function liveServer(dataDir: string): AdminInfo | null {
  const info = readAdminInfo(dataDir);
  return info && info.pid !== process.pid && isAlive(info.pid) ? info : null;
}

/** For commands that open the embedded database themselves: refuse while a server holds it. */
export function assertDataDirFree(dataDir: string, what: string): void {
  const info = liveServer(dataDir);
  if (info) {
    throw new AppError(
      'conflict',
      `A Switchboard server (pid ${info.pid}) is using ${dataDir}; stop it before ${what}. ` +
        `If no server is running, delete ${adminFilePath(dataDir)}.`,
    );
  }
}
