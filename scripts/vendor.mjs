// Copy the front-end packages' dist files and licences from node_modules into
// atiende/web/static/vendor/ (git-ignored). Run by `make assets` after `npm ci`.
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";

const FILES = {
  "htmx.org": ["dist/htmx.min.js", "LICENSE"],
  "htmx-ext-ws": ["dist/ws.min.js", "LICENSE"],
  // axe-core is only served to the browser tests' accessibility check, never to users' pages.
  "axe-core": ["axe.min.js", "LICENSE"],
};

const target = "atiende/web/static/vendor";
for (const [pkg, files] of Object.entries(FILES)) {
  for (const file of files) {
    const source = join("node_modules", pkg, file);
    if (!existsSync(source)) {
      console.error(`vendor: missing ${source}; run \`npm ci\` first`);
      process.exit(1);
    }
    const destination = join(target, pkg, file.split("/").pop());
    mkdirSync(dirname(destination), { recursive: true });
    copyFileSync(source, destination);
  }
}
console.log(`vendor: copied ${Object.keys(FILES).join(", ")} into ${target}`);
