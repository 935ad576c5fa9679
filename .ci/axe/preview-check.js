// Drives `cohort preview` in the system Chromium (tests/all/preview.rs): opens URL, then
// times, from the action to the reload that shows its result:
//   - a full render: another term chosen in the page, for which nothing is cached, so every
//     analysis runs (the baseline, measured on this machine under its load at the time);
//   - three saves of the analysis file SQL_FILE (back on the first term), each changing a
//     label its chart shows: only that analysis runs again;
// then breaks the SQL and waits for the error in the page, and fixes it and waits for the page
// to recover. Every wait is for the page's own reload (its `load` event), never a fixed sleep.
// Prints one JSON line with what it saw.
const { chromium } = require('playwright-core');
const fs = require('fs');
const [url, sqlFile] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  // The page as it stands (null while it navigates).
  const look = async () => {
    try {
      return await page.evaluate(() => ({
        text: document.body ? document.body.innerText : '',
        svg: Array.from(document.querySelectorAll('svg')).map((s) => s.textContent).join(' '),
        error: (document.getElementById('cohort-preview-error') || {}).innerText || null,
        term: (document.querySelector('select[name=term]') || {}).value || null,
        terms: Array.from(document.querySelectorAll('select[name=term] option')).map((o) => o.value),
      }));
    } catch (e) {
      return null;
    }
  };
  // Does `action`, then waits for the page to load (it reloads itself when a render
  // finishes) until it shows what `test` wants: the time from the action to that load.
  // The next load is always listened for before the page is looked at, so none is missed.
  const after = async (what, action, test, limit = 60000) => {
    const start = Date.now();
    const deadline = start + limit;
    const nextLoad = () => page.waitForEvent('load', { timeout: Math.max(1, deadline - Date.now()) })
      .then(() => Date.now());
    let loaded = nextLoad();
    await action();
    for (;;) {
      let at;
      try {
        at = await loaded;
      } catch (e) {
        const seen = await look();
        throw new Error(`waited ${limit} ms for ${what}; the page shows: ` +
          JSON.stringify(seen && { error: seen.error, term: seen.term, text: seen.text.slice(0, 400) }));
      }
      loaded = nextLoad();
      const seen = await look();
      if (seen && test(seen)) {
        loaded.catch(() => {});
        return { ms: at - start, seen };
      }
    }
  };
  const chart = (label) => (s) => s.svg.includes(label) && !s.error;
  const first = await after('the first render', () => page.goto(url, { waitUntil: 'commit' }),
    (s) => chart('EHC plan')(s) && s.term);
  const start = first.seen.term;
  const other = first.seen.terms.find((t) => t !== start);
  if (!other) throw new Error('the data covers one term only: no full render to compare with');
  // The baseline: a term nothing has been rendered for runs every analysis.
  const full = await after(`a full render for ${other}`,
    () => page.selectOption('select[name=term]', other),
    (s) => s.term === other && !s.error && s.svg.length > 0);
  // Back to the first term (its results are kept: not timed).
  await after(`the render for ${start}`, () => page.selectOption('select[name=term]', start),
    (s) => s.term === start && chart('EHC plan')(s));
  const sql = fs.readFileSync(sqlFile, 'utf8');
  // Three timed saves: the machine is shared, so the fastest says what the preview costs.
  const times = [];
  let changed;
  for (const i of [1, 2, 3]) {
    const label = `EHC plan (edited ${i})`;
    changed = await after('the edited label in a chart',
      () => fs.writeFileSync(sqlFile, sql.replace("'EHC plan'", `'${label}'`)), chart(label));
    times.push(changed.ms);
  }
  const broken = await after('the error',
    () => fs.writeFileSync(sqlFile, sql.replace('count(*) AS children', 'count(*) AS children,,')),
    (s) => s.error !== null);
  const fixed = await after('the recovery',
    () => fs.writeFileSync(sqlFile, sql.replace("'EHC plan'", "'EHC plan (fixed)'")),
    chart('EHC plan (fixed)'));
  console.log(JSON.stringify({
    first_ms: first.ms,
    full_ms: full.ms,
    full_term: other,
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
