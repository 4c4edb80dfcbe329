// Mirrors a workbench page's console and crashes into a log file: the extension host's output surfaces there.
import * as fs from 'node:fs';
import { type Page } from 'playwright-core';

/** Appends the page's console messages and page errors to `file`. */
export function logPage(page: Page, file: string): void {
  const write = (line: string): void => fs.appendFileSync(file, `${new Date().toISOString()} ${line}\n`);
  page.on('console', (m) => write(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => write(`[pageerror] ${e.message}`));
  page.on('crash', () => write('[crash] page crashed'));
}
