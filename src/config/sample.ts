// Renders a commented configuration file from the schema: `tocsin config sample`.
// The output is JSON where full-line `//` comments are allowed, which `loadConfig` reads back.
import { SETTINGS, type SettingInfo } from './load.ts';

function comment(setting: SettingInfo): string[] {
  const lines = [setting.description];
  if (setting.choices) lines.push(`One of: ${setting.choices.join(', ')}.`);
  if (setting.env) lines.push(`Environment: ${setting.env}.`);
  return lines.map((line) => `// ${line}`);
}

/** The sample configuration file: every setting at its default, each with its description. */
export function renderSample(): string {
  const out = [
    '// Tocsin configuration (JSON; full-line // comments are allowed).',
    '// Precedence: command-line flags > environment variables > this file > defaults.',
    '// Use: tocsin serve --config tocsin.json',
    '{',
  ];
  const groups = new Map<string, SettingInfo[]>();
  for (const setting of SETTINGS) {
    const [head, ...rest] = setting.path.split('.');
    const key = rest.length === 0 ? '' : (head as string);
    groups.set(key, [...(groups.get(key) ?? []), setting]);
  }
  const entries: string[][] = [];
  for (const [group, settings] of groups) {
    const indent = group === '' ? '  ' : '    ';
    const body = settings.map((setting, i) => {
      const name = setting.path.split('.').pop() as string;
      const comma = i < settings.length - 1 ? ',' : '';
      return [...comment(setting), `${JSON.stringify(name)}: ${JSON.stringify(setting.default)}${comma}`]
        .map((line) => indent + line)
        .join('\n');
    });
    if (group === '') entries.push(body);
    else entries.push([`  ${JSON.stringify(group)}: {\n${body.join('\n')}\n  }`]);
  }
  const flat = entries.flat();
  out.push(
    flat.map((entry, i) => (i < flat.length - 1 && !entry.endsWith(',') ? `${entry},` : entry)).join('\n'),
  );
  out.push('}');
  return `${out.join('\n')}\n`;
}
