// Lighthouse's verdict on each page, in a Chromium that is already running.
//   node lighthouse.mjs NODE_MODULES_DIR DEBUGGING_PORT CATEGORIES URL...
//   stdout: {"URL": {"version", "runtimeError", "runWarnings", "categories": {id: {score, audits: [ids]}},
//                    "audits": {id: {title, score, mode, explanation, error, items: [snippets]}}}}
// One page at a time, each in a browser context of its own (a fresh profile in memory), so that
// nothing one page fetched (a favicon, a cached file) hides a fault of the next.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [modules, port, categories, ...urls] = process.argv.slice(2);
// Resolved from the tools folder, not from this file: the packages live outside the repository.
const resolve = createRequire(path.join(modules, 'noop.js')).resolve;
const lighthouseMain = resolve('lighthouse');
const { default: lighthouse } = await import(pathToFileURL(lighthouseMain).href);
// Lighthouse's own copy of Puppeteer, the one it is tested with.
const puppeteerMain = createRequire(lighthouseMain).resolve('puppeteer-core');
const { default: puppeteer } = await import(pathToFileURL(puppeteerMain).href);

// What a failing audit points at, short enough to print in a test failure.
const items = (details) => (details?.items ?? []).slice(0, 5).map((item) => {
  const snippet = item.node?.snippet ?? item.source?.snippet;
  const message = [item.sourceLocation?.url ?? item.url, item.description].filter(Boolean).join(': ');
  return snippet ?? (message || JSON.stringify(item).slice(0, 200));
});

const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${port}`, defaultViewport: null });
const result = {};
for (const url of urls) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const run = await lighthouse(url, {
    output: 'json', logLevel: 'error', onlyCategories: categories.split(','),
    // The picture of the whole page only illustrates a report's elements; no audit reads it.
    disableFullPageScreenshot: true,
  }, undefined, page);
  await context.close();
  const lhr = run.lhr;
  result[url] = {
    version: lhr.lighthouseVersion,
    runtimeError: lhr.runtimeError?.message ?? null,
    runWarnings: lhr.runWarnings,
    categories: Object.fromEntries(Object.entries(lhr.categories).map(([id, c]) => [id, {
      score: c.score,
      // Only the audits that count: a weight of 0 is informative and never moves the score.
      audits: c.auditRefs.filter((ref) => ref.weight > 0).map((ref) => ref.id),
    }])),
    audits: Object.fromEntries(Object.entries(lhr.audits).map(([id, a]) => [id, {
      title: a.title, score: a.score, mode: a.scoreDisplayMode,
      explanation: a.explanation ?? null, error: a.errorMessage ?? null, items: items(a.details),
    }])),
  };
}
await browser.disconnect();
process.stdout.write(JSON.stringify(result));
