// Small DOM-level helpers for the VS Code workbench as code-server serves it (VS Code 1.100).
import { type Frame, type Page } from 'playwright-core';
import { pollUntil } from './deadline';

/** Waits until the workbench shell and its status bar are rendered. */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** Runs a command through F1: types `label`, waits until the top row shows it, presses Enter. */
export async function runCommand(page: Page, label: string, timeoutMs = 20_000): Promise<void> {
  const input = page.locator('.quick-input-widget input.input');
  await pollUntil(
    'the command palette',
    timeoutMs,
    async () => {
      if (!(await input.isVisible())) await page.keyboard.press('F1');
      return (await input.isVisible()) ? true : undefined;
    },
    300,
  );
  await input.fill(`>${label}`);
  const wanted = label.toLowerCase();
  await pollUntil(
    `palette entry "${label}"`,
    timeoutMs,
    async () => {
      const top = page.locator('.quick-input-list .monaco-list-row').first();
      const text = (await top.innerText().catch(() => '')).toLowerCase();
      return text.includes(wanted) ? true : undefined;
    },
    100,
  );
  await page.keyboard.press('Enter');
}

/** Text of the Problems view (panel part). */
export async function problemsText(page: Page): Promise<string> {
  return page
    .locator('.part.panel')
    .innerText()
    .catch(() => '');
}

/** Texts of visible notification toasts. */
export async function notificationTexts(page: Page): Promise<string[]> {
  return page
    .locator('.notifications-toasts .notification-toast')
    .allInnerTexts()
    .catch(() => []);
}

/** Text of the first status bar item whose text starts with `prefix`, if any. */
export async function statusBarText(page: Page, prefix: string): Promise<string | undefined> {
  const texts = await page
    .locator('.part.statusbar .statusbar-item')
    .allInnerTexts()
    .catch(() => [] as string[]);
  return texts.map((t) => t.replace(/\s+/g, ' ').trim()).find((t) => t.startsWith(prefix));
}

/**
 * The content frame of a webview that contains `selector`. Webviews are nested iframes
 * (outer `iframe.webview` -> inner `#active-frame`), so scan all frames of the page.
 */
export async function findWebviewFrame(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  return pollUntil(
    `a webview containing ${selector}`,
    timeoutMs,
    async () => {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        if (
          await f
            .locator(selector)
            .count()
            .catch(() => 0)
        )
          return f;
      }
      return undefined;
    },
    300,
  );
}
