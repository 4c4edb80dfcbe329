// Headless Debian Chromium through playwright-core, with a fresh profile per pass.
import * as fs from 'node:fs';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM } from './paths';

// Without the background-networking flags Chromium keeps dialling Google on a closed network.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Chromium with a new profile in `profileDir`. */
export async function launchBrowser(profileDir: string): Promise<BrowserContext> {
  fs.mkdirSync(profileDir, { recursive: true });
  return chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.ML_PARITY_E2E_CHROMIUM || CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1600, height: 1000 },
    // The driver tears everything down itself; Playwright's own handlers would exit before code-server is stopped.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}
