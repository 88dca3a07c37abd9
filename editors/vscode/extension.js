// natslint for VS Code: starts `natslint server` (a language server over stdio) and shows its
// findings for NATS configs and for the deployment files around them (compose, Kubernetes,
// Helm values, .env, systemd units).
"use strict";

const fs = require("fs");
const path = require("path");

// The files natslint's server reads and reports on.
const DOCUMENTS = [
  { scheme: "file", language: "nats" },
  { scheme: "file", language: "yaml" },
  { scheme: "file", language: "dockercompose" },
  { scheme: "file", language: "dotenv" },
  { scheme: "file", language: "properties", pattern: "**/*.env" },
  { scheme: "file", language: "ini", pattern: "**/*.{service,conf}" },
  { scheme: "file", language: "toml", pattern: "**/{natslint.toml,.natslint.toml,pyproject.toml}" },
  { scheme: "file", pattern: "**/*.conf" },
];

/**
 * Where natslint is: the `natslint.path` setting, else the workspace's own virtual
 * environment, else the Python extension's interpreter (`python -m natslint`), else `natslint`
 * on PATH.  Returns { command, args, why }.
 */
function resolveServer(settings, folders, pythonInterpreter, exists = fs.existsSync, platform = process.platform) {
  const extra = Array.isArray(settings.args) ? settings.args.map(String) : [];
  if (settings.path) {
    return { command: settings.path, args: ["server", ...extra], why: "the natslint.path setting" };
  }
  const bin = platform === "win32" ? path.join("Scripts", "natslint.exe") : path.join("bin", "natslint");
  for (const folder of folders) {
    for (const venv of [".venv", "venv"]) {
      const candidate = path.join(folder, venv, bin);
      if (exists(candidate)) {
        return { command: candidate, args: ["server", ...extra], why: `the workspace's ${venv}` };
      }
    }
  }
  if (pythonInterpreter) {
    return { command: pythonInterpreter, args: ["-m", "natslint", "server", ...extra],
             why: "the Python extension's interpreter" };
  }
  return { command: "natslint", args: ["server", ...extra], why: "natslint on PATH" };
}

async function pythonInterpreter(vscode) {
  const python = vscode.extensions.getExtension("ms-python.python");
  if (!python) {
    return undefined;
  }
  try {
    const api = python.isActive ? python.exports : await python.activate();
    const details = api && api.settings && api.settings.getExecutionDetails
      ? api.settings.getExecutionDetails(vscode.workspace.workspaceFolders?.[0]?.uri) : undefined;
    return details && details.execCommand ? details.execCommand[0] : undefined;
  } catch {
    return undefined;
  }
}

let client;

async function start(context) {
  const vscode = require("vscode");
  const { LanguageClient } = require("vscode-languageclient/node");
  const settings = vscode.workspace.getConfiguration("natslint");
  const folders = (vscode.workspace.workspaceFolders || []).map((f) => f.uri.fsPath);
  const server = resolveServer({ path: settings.get("path"), args: settings.get("args") }, folders,
                               await pythonInterpreter(vscode));
  const output = vscode.window.createOutputChannel("natslint");
  output.appendLine(`natslint: ${server.command} ${server.args.join(" ")} (${server.why})`);
  client = new LanguageClient("natslint", "natslint",
    { command: server.command, args: server.args, options: { cwd: folders[0] } },
    { documentSelector: DOCUMENTS, outputChannel: output,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*") } });
  await client.start();
}

async function activate(context) {
  const vscode = require("vscode");
  context.subscriptions.push(vscode.commands.registerCommand("natslint.restart", async () => {
    if (client) {
      await client.stop();
    }
    await start(context);
  }));
  try {
    await start(context);
  } catch (err) {
    vscode.window.showErrorMessage(`natslint could not start its language server: ${err.message}. ` +
      "Install it in the workspace's environment (pip install natslint) or set natslint.path.");
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate, resolveServer, DOCUMENTS };
