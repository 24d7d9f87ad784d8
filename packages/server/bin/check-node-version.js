// Stops on a Node.js older than Latchkey supports, with one line: what was found, what is needed, how to get it.
// Plain JavaScript with no newer syntax, so any Node can run it before anything else loads: the `latchkey` bin imports
// it first, and the repository's npm scripts run it (`node packages/server/bin/check-node-version.js && ...`).
var REQUIRED = [22, 14];
var found = process.versions.node.split('.').map(Number);
if (found[0] < REQUIRED[0] || (found[0] === REQUIRED[0] && found[1] < REQUIRED[1])) {
  process.stderr.write('latchkey: Node.js ' + process.version + ' found, but Latchkey needs Node.js ' + REQUIRED.join('.') +
    ' or newer: install the current LTS from https://nodejs.org (or run `nvm install --lts`)\n');
  process.exit(1);
}
