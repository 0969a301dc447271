// Loads a cobro report page in headless Chromium at phone and desktop width
// and prints one JSON line: {"problems": [...]} — failed or external
// requests, console errors, page errors, dialogs, any script that ran, and a
// horizontal scrollbar. Screenshots go to OUTDIR. Exit 1 when a problem is found.
// Usage: node check.mjs PAGE.html OUTDIR
import { chromium } from 'playwright-core';
import { pathToFileURL } from 'node:url';

const [page_path, outdir] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const url = pathToFileURL(page_path).href;
const problems = [];
for (const width of [390, 1280]) {
  const context = await browser.newContext({ viewport: { width, height: 844 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error at ${width}px: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error at ${width}px: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed request at ${width}px: ${r.url()}`));
  page.on('request', (r) => { if (r.url() !== url) problems.push(`request other than the page at ${width}px: ${r.url()}`); });
  page.on('dialog', async (d) => { problems.push(`a script opened a dialog: ${d.message()}`); await d.dismiss(); });
  await page.goto(url, { waitUntil: 'load' });
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    ran: window.__cobro_hostile_ran === true,
    scripts: document.scripts.length,
  }));
  if (m.scroll > m.client) problems.push(`horizontal scrollbar at ${width}px: content ${m.scroll}px wide in ${m.client}px`);
  if (m.ran) problems.push(`an injected script ran at ${width}px`);
  if (m.scripts > 0) problems.push(`the page has ${m.scripts} script element(s)`);
  await page.screenshot({ path: `${outdir}/report-${width}.png`, fullPage: true });
  await context.close();
}
await browser.close();
console.log(JSON.stringify({ problems }));
process.exit(problems.length ? 1 : 0);
