// Runs axe-core (WCAG 2.x A and AA rules) over each HTML file given, in the system Chromium,
// and prints one JSON line per file: {file, violations: [{id, impact, help, nodes}]}.
const { chromium } = require('playwright-core');
const fs = require('fs');
const path = require('path');
(async () => {
  const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await browser.newPage();
  for (const file of process.argv.slice(2)) {
    await page.goto('file://' + path.resolve(file));
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } }));
    const violations = result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }));
    console.log(JSON.stringify({ file, violations }));
  }
  await browser.close();
})().catch(e => { console.error(e.message); process.exit(2); });
