// Headless Chromium for the sandbox's end-to-end tests: Debian's `chromium` package driven by
// playwright-core (never a browser download), and a screenshot helper.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const SCREENSHOTS = join('test-results', 'screenshots');

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}

/**
 * Saves the page as test-results/screenshots/<name>.png: all of it, or only the window (a modal's
 * backdrop covers only the window, so a whole-page shot of a modal looks half dimmed).
 */
export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? true });
}
