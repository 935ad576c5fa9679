// Drives `cohort preview` in the system Chromium (tests/all/preview.rs): opens URL, edits the
// analysis file SQL_FILE on disk and times how long the page takes to show the change (from
// the save), then breaks the SQL and waits for the error in the page, then fixes it and
// waits for the page to recover. Prints one JSON line with what it saw.
const { chromium } = require('playwright-core');
const fs = require('fs');
const [url, sqlFile] = process.argv.slice(2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  await page.goto(url);
  // The page as it stands, read between its reloads.
  const look = async () => {
    try {
      return await page.evaluate(() => ({
        text: document.body ? document.body.innerText : '',
        svg: Array.from(document.querySelectorAll('svg')).map((s) => s.textContent).join(' '),
        error: (document.getElementById('cohort-preview-error') || {}).innerText || null,
      }));
    } catch (e) {
      return null; // navigating
    }
  };
  const until = async (what, test, limit = 20000) => {
    const start = Date.now();
    for (;;) {
      const seen = await look();
      if (seen && test(seen)) return { ms: Date.now() - start, seen };
      if (Date.now() - start > limit) {
        throw new Error(`waited ${limit} ms for ${what}; the page shows: ` +
          JSON.stringify(seen && { error: seen.error, text: seen.text.slice(0, 400) }));
      }
      await sleep(10);
    }
  };
  const first = await until('the first render', (s) => s.svg.includes('EHC plan') && !s.error, 60000);
  const sql = fs.readFileSync(sqlFile, 'utf8');
  // Let the watcher settle after the first render's reads before the timed save.
  await sleep(300);
  // Three timed saves: the machine is shared, so the fastest says what the preview costs.
  const times = [];
  let changed;
  for (const i of [1, 2, 3]) {
    const label = `EHC plan (edited ${i})`;
    fs.writeFileSync(sqlFile, sql.replace("'EHC plan'", `'${label}'`));
    changed = await until('the edited label in a chart', (s) => s.svg.includes(label) && !s.error);
    times.push(changed.ms);
    await sleep(200);
  }
  fs.writeFileSync(sqlFile, sql.replace('count(*) AS children', 'count(*) AS children,,'));
  const broken = await until('the error', (s) => s.error !== null);
  fs.writeFileSync(sqlFile, sql.replace("'EHC plan'", "'EHC plan (fixed)'"));
  const fixed = await until('the recovery', (s) => s.svg.includes('EHC plan (fixed)') && !s.error);
  console.log(JSON.stringify({
    first_ms: first.ms,
    changed_ms: Math.min(...times),
    changed_each_ms: times,
    draft: changed.seen.text.includes('DRAFT'),
    broken_ms: broken.ms,
    error: broken.seen.error,
    last_good_kept: broken.seen.svg.includes('EHC plan (edited 3)'),
    fixed_ms: fixed.ms,
  }));
  await browser.close();
})().catch((e) => { console.error(e.message); process.exit(2); });
