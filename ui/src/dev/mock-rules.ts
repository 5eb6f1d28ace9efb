// The rule editor's commands for the in-memory dev backend (`npm run dev:mock`): two
// packs, levels, a rough YAML check (enough to see the error states) and `existence`
// tokens as JavaScript regular expressions for "try it". Never part of a build.
import type { Finding, IpcError, RuleEntry, RuleLevel, RuleListing, RuleProblem, RuleTrial } from '../lib/bindings';
import { utf16ToByte } from '../lib/offsets';

interface MockRule {
  pack: string;
  name: string;
  source: string;
  override: RuleLevel | null;
  revisions: number;
}

const PACKS: Record<string, string[]> = { Marke: ['de'], Klartext: ['de'], PlainEnglish: [] };

const rules = new Map<string, MockRule>();

function seed(): void {
  if (rules.size) return;
  const add = (pack: string, name: string, source: string, override: RuleLevel | null = null) =>
    rules.set(`${pack}.${name}`, { pack, name, source, override, revisions: 0 });
  add(
    'Marke',
    'Werbesprache',
    "extends: existence\nmessage: \"'%s' klingt nach Werbung.\"\nlevel: warning\nignorecase: true\ntokens:\n  - 'revolutionär'\n  - 'einzigartig'\n",
  );
  add('Marke', 'Gendern', "extends: existence\nmessage: \"Gendern: '%s'\"\nlevel: suggestion\ntokens:\n  - 'Kunden'\n", 'off');
  add('Klartext', 'Passiv', "extends: existence\nmessage: \"Passiv: '%s'\"\nlevel: suggestion\ntokens:\n  - 'wird \\w+t'\n");
  add('PlainEnglish', 'Fillers', "extends: existence\nmessage: \"Filler: '%s'\"\nlevel: warning\ntokens:\n  - 'very'\n");
}

function fail(code: string, message: string): never {
  const error: IpcError = { code, message };
  throw error;
}

/** A rough stand-in for the Rust validation: `extends`, list indentation, regexes. */
function problemOf(source: string): RuleProblem | null {
  const lines = source.split('\n');
  let listIndent: number | null = null;
  for (const [i, line] of lines.entries()) {
    const m = /^(\s*)- (.*)$/.exec(line);
    if (m) {
      if (listIndent !== null && m[1].length !== listIndent)
        return { code: 'style.yaml', line: i + 1, column: m[1].length + 1, message: 'did not find expected key' };
      listIndent = m[1].length;
      const pattern = m[2].replace(/^'(.*)'$/, '$1');
      try {
        new RegExp(pattern);
      } catch (e) {
        return { code: 'style.regex', line: i + 1, column: m[1].length + 1, message: `the pattern does not compile: ${e}` };
      }
    } else if (!line.startsWith(' ')) listIndent = null;
  }
  const kind = /^extends:\s*(\w+)/m.exec(source)?.[1];
  if (!kind) return { code: 'style.invalid_rule', line: 1, column: 1, message: '`extends` is missing' };
  return null;
}

function levelOf(source: string): Exclude<RuleLevel, 'off'> {
  const l = /^level:\s*(\w+)/m.exec(source)?.[1];
  return l === 'error' || l === 'warning' ? l : 'suggestion';
}

function entry(r: MockRule): RuleEntry {
  const level = levelOf(r.source);
  const problem = problemOf(r.source);
  const effective = r.override ?? level;
  return {
    code: `${r.pack}.${r.name}`,
    pack: r.pack,
    name: r.name,
    kind: /^extends:\s*(\w+)/m.exec(r.source)?.[1] ?? '',
    level,
    effective,
    overridden: r.override !== null,
    active: problem === null && effective !== 'off' && (PACKS[r.pack]?.length ?? 0) > 0,
    condition: null,
    file: `styleguides/${r.pack}/${r.name}.yml`,
    message: /^message:\s*"?(.*?)"?$/m.exec(r.source)?.[1] ?? '',
    source: r.source,
    problem,
    warning: null,
    revisions: r.revisions,
  };
}

function listing(): RuleListing {
  const packs = Object.entries(PACKS).map(([name, languages]) => ({
    name,
    languages,
    rules: [...rules.values()].filter((r) => r.pack === name).map(entry),
  }));
  return { packs, settings_file: 'imprimatur.toml' };
}

function trial(pack: string, name: string, source: string, sample: string): RuleTrial {
  const problem = problemOf(source);
  if (problem) return { problem, warning: null, findings: [] };
  const severity = levelOf(source);
  const findings: Finding[] = [];
  for (const m of source.matchAll(/^\s*- '?(.*?)'?$/gm)) {
    for (const hit of sample.matchAll(new RegExp(m[1], 'giu'))) {
      const from = hit.index ?? 0;
      const start = utf16ToByte(sample, from);
      const before = sample.slice(0, from).split('\n');
      findings.push({
        check: 'style',
        code: `${pack}.${name}`,
        severity,
        message: { key: `style.${pack}.${name}`, args: {}, text: `'${hit[0]}'` },
        span: { start, end: utf16ToByte(sample, from + hit[0].length), line: before.length, column: before[before.length - 1].length + 1 },
        fix: null,
        evidence: null,
      });
    }
  }
  return { problem: null, warning: null, findings };
}

/** Handles a rule command, or returns undefined for any other command. */
export function handleRules(cmd: string, args: Record<string, unknown>): unknown {
  seed();
  switch (cmd) {
    case 'rule_list':
      return listing();
    case 'rule_set_level': {
      const r = rules.get(String(args.code)) ?? fail('workspace.unknown_rule', `no rule ${args.code}`);
      const level = args.level as RuleLevel;
      r.override = level === levelOf(r.source) ? null : level;
      r.revisions += 1;
      return entry(r);
    }
    case 'rule_save': {
      const code = `${args.pack}.${args.name}`;
      const source = String(args.source ?? '');
      const problem = problemOf(source);
      if (problem)
        fail(
          'workspace.invalid_rule',
          `styleguides/${args.pack}/${args.name}.yml line ${problem.line}, column ${problem.column}: ${problem.message}; nothing was saved, fix the YAML and save again`,
        );
      const r = rules.get(code) ?? { pack: String(args.pack), name: String(args.name), source, override: null, revisions: 0 };
      r.source = source;
      r.revisions += r.revisions === 0 ? 2 : 1;
      rules.set(code, r);
      return entry(r);
    }
    case 'rule_try':
      return trial(String(args.pack), String(args.name), String(args.source ?? ''), String(args.sample ?? ''));
    default:
      return undefined;
  }
}
