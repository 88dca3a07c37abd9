// The extension's own tests, run with `npm test` (no VS Code needed): how it finds natslint,
// what it shows findings for, and how its grammar colours a NATS config.
"use strict";

const assert = require("assert");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const { resolveServer, DOCUMENTS } = require(path.join(root, "extension.js"));

function testResolve() {
  const none = () => false;
  assert.deepStrictEqual(resolveServer({ path: "/opt/natslint/bin/natslint", args: ["--debug"] }, ["/w"], "/usr/bin/python3", none),
    { command: "/opt/natslint/bin/natslint", args: ["server", "--debug"], why: "the natslint.path setting" });
  const venv = path.join("/w", ".venv", "bin", "natslint");
  assert.deepStrictEqual(resolveServer({}, ["/w"], "/usr/bin/python3", (p) => p === venv, "linux"),
    { command: venv, args: ["server"], why: "the workspace's .venv" });
  const win = path.join("/w", "venv", "Scripts", "natslint.exe");
  assert.strictEqual(resolveServer({}, ["/w"], undefined, (p) => p === win, "win32").command, win);
  assert.deepStrictEqual(resolveServer({}, ["/w"], "/usr/bin/python3", none),
    { command: "/usr/bin/python3", args: ["-m", "natslint", "server"], why: "the Python extension's interpreter" });
  assert.deepStrictEqual(resolveServer({}, [], undefined, none),
    { command: "natslint", args: ["server"], why: "natslint on PATH" });
}

function testManifest() {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const [lang] = pkg.contributes.languages;
  assert.strictEqual(lang.id, "nats");
  assert.ok(lang.filenames.includes("nats.conf") && lang.extensions.includes(".nats"));
  const firstLine = new RegExp(lang.firstLine);
  assert.ok(firstLine.test("server_name: hub") && firstLine.test("jetstream {") && !firstLine.test("[Unit]"));
  for (const g of pkg.contributes.grammars) {
    assert.ok(fs.existsSync(path.join(root, g.path)), g.path);
  }
  assert.ok(fs.existsSync(path.join(root, lang.configuration)));
  const languages = DOCUMENTS.map((d) => d.language).filter(Boolean);
  for (const wanted of ["nats", "yaml", "dockercompose", "dotenv"]) {
    assert.ok(languages.includes(wanted), wanted);
  }
}

async function testGrammar() {
  const vsctm = require("vscode-textmate");
  const oniguruma = require("vscode-oniguruma");
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p) => new oniguruma.OnigScanner(p),
                               createOnigString: (s) => new oniguruma.OnigString(s) }),
    loadGrammar: async () => vsctm.parseRawGrammar(
      fs.readFileSync(path.join(root, "syntaxes", "nats.tmLanguage.json"), "utf8"), "nats.tmLanguage.json"),
  });
  const grammar = await registry.loadGrammar("source.nats");
  const text = [
    "# the hub",
    "server_name: $SERVER_NAME",
    "include accounts.conf",
    "jetstream {",
    "  domain: core",
    "  max_file_store: 10G",
    "  enabled = true",
    "}",
    "leafnodes { remotes: [ { url: \"nats-leaf://core-1:7422\" } ] } // links",
  ];
  const scopes = {};
  let stack = vsctm.INITIAL;
  text.forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      scopes[`${i}:${line.slice(t.startIndex, t.endIndex)}`] = t.scopes[t.scopes.length - 1];
    }
    stack = r.ruleStack;
  });
  const expect = {
    "0:# the hub": "comment.line.number-sign.nats",
    "1:server_name": "variable.other.property.key.nats",
    "1:$SERVER_NAME": "variable.other.nats",
    "2:include": "keyword.control.import.nats",
    "2:accounts.conf": "string.unquoted.include.nats",
    "4:domain": "variable.other.property.key.nats",
    "5:10G": "constant.numeric.nats",
    "6:true": "constant.language.boolean.nats",
    "8:remotes": "variable.other.property.key.nats",
    "8:nats-leaf://core-1:7422": "string.quoted.double.nats",
    "8:// links": "comment.line.double-slash.nats",
  };
  for (const [token, scope] of Object.entries(expect)) {
    assert.strictEqual(scopes[token], scope, `${token}: ${scopes[token]} (all: ${JSON.stringify(scopes)})`);
  }
}

(async () => {
  testResolve();
  testManifest();
  await testGrammar();
  console.log("natslint extension: 3 test groups passed");
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
