/**
 * A small Dockerfile parser, enough to check the image contract without a Docker engine. It follows the
 * reference's rules that matter for that: parser directives (`# syntax=`, `# escape=`) at the top, comment
 * lines (also inside a continuation), line continuations with the escape character, `--flag=value` options,
 * and exec form (a JSON array of strings) versus shell form, including Docker's fallback to shell form when
 * the JSON is invalid (`CMD ['serve']` is a shell command, not an exec array). Heredocs are not supported.
 */

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY, … */
  keyword: string;
  /** Everything after the keyword, continuations joined. */
  raw: string;
  /** Leading `--name=value` options (FROM, RUN, COPY, ADD, HEALTHCHECK). */
  flags: Record<string, string>;
  /** The argument text after the flags. */
  args: string;
  /** Exec form: the JSON array; undefined for shell form. */
  exec?: string[];
  /** 1-based line of the keyword. */
  line: number;
}

export interface Stage {
  /** `AS name`, if any. */
  name?: string;
  index: number;
  /** The image reference as written (may contain ${ARG}s). */
  image: string;
  /** --platform of FROM, as written. */
  platform?: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Record<string, string>;
  /** ARGs before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
}

const FLAGGED = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives: Record<string, string> = {};
  let index = 0;
  for (; index < lines.length; index++) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[index]!);
    if (!directive || directive[1]!.toLowerCase() in directives) break;
    directives[directive[1]!.toLowerCase()] = directive[2]!;
  }
  const escape = directives.escape ?? '\\';

  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    const trimmed = line.trim();
    // Comment and empty lines are dropped, even in the middle of a continuation (Docker does the same).
    if (trimmed.startsWith('#') || trimmed === '') continue;
    const continues = line.trimEnd().endsWith(escape);
    const body = continues ? line.trimEnd().slice(0, -escape.length) : line;
    if (pending) pending.text += body;
    else pending = { text: body, line: index + 1 };
    if (!continues) {
      instructions.push(parseInstruction(pending.text, pending.line));
      pending = undefined;
    }
  }
  if (pending && pending.text.trim() !== '') instructions.push(parseInstruction(pending.text, pending.line));

  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = splitWords(instruction.args);
      const asIndex = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({
        name: asIndex >= 0 ? words[asIndex + 1] : undefined,
        index: stages.length,
        image: words[0] ?? '',
        platform: instruction.flags.platform,
        from: instruction,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
      globalArgs.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { directives, globalArgs, stages };
}

function parseInstruction(text: string, line: number): Instruction {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`line ${line}: cannot parse "${text}"`);
  const keyword = match[1]!.toUpperCase();
  let rest = match[2]!.trim();
  const flags: Record<string, string> = {};
  if (FLAGGED.has(keyword)) {
    for (let flag = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest); flag; flag = /^--([a-zA-Z-]+)(?:=(\S*))?\s*/.exec(rest)) {
      flags[flag[1]!] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
  }
  return { keyword, raw: match[2]!.trim(), flags, args: rest, exec: execForm(rest), line };
}

/** The JSON array of an exec-form argument, or undefined (shell form, including invalid JSON). */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Splits on unquoted whitespace, honouring '…', "…" and backslash escapes (as ENV, ARG and LABEL do). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${text}`);
  if (inWord) words.push(current);
  return words;
}

/** ENV/ARG/LABEL key=value pairs; also the legacy `ENV KEY value with spaces` form. */
export function keyValues(instruction: Instruction): Record<string, string | undefined> {
  const words = splitWords(instruction.args);
  if (instruction.keyword === 'ENV' && words.length > 0 && !words[0]!.includes('=')) {
    return { [words[0]!]: instruction.args.trim().slice(words[0]!.length).trim() };
  }
  const pairs: Record<string, string | undefined> = {};
  for (const word of words) {
    const equals = word.indexOf('=');
    if (equals < 0) pairs[word] = undefined;
    else pairs[word.slice(0, equals)] = word.slice(equals + 1);
  }
  return pairs;
}

/** Expands $NAME, ${NAME}, ${NAME:-default} and ${NAME:+alternative} as the builder does. */
export function expand(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_all, braced, op, word, bare) => {
    const value = vars[braced ?? bare];
    if (op === '-') return value ? value : word;
    if (op === '+') return value ? word : '';
    return value ?? '';
  });
}

/** Values of the global ARGs (defaults, overridden by build args), in declaration order. */
export function globalArgValues(dockerfile: Dockerfile, buildArgs: Record<string, string> = {}): Record<string, string | undefined> {
  const values: Record<string, string | undefined> = {};
  for (const instruction of dockerfile.globalArgs) {
    for (const [name, fallback] of Object.entries(keyValues(instruction))) {
      values[name] = buildArgs[name] ?? (fallback === undefined ? undefined : expand(fallback, values));
    }
  }
  return values;
}

/** The image a stage starts from, with global ARGs expanded (a stage name refers to that stage). */
export function resolvedImage(dockerfile: Dockerfile, stage: Stage, buildArgs: Record<string, string> = {}): string {
  return expand(stage.image, globalArgValues(dockerfile, buildArgs));
}

export function stageNamed(dockerfile: Dockerfile, name: string): Stage | undefined {
  return dockerfile.stages.find((stage) => stage.name === name) ?? dockerfile.stages[Number(name)];
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The ENV a stage's processes see: its own ENVs plus those of the stages it is built FROM. */
export function stageEnv(dockerfile: Dockerfile, stage: Stage): Record<string, string> {
  const parent = stageNamed(dockerfile, stage.image);
  const env: Record<string, string> = parent && parent !== stage ? stageEnv(dockerfile, parent) : {};
  for (const instruction of instructionsOf(stage, 'ENV')) {
    for (const [name, value] of Object.entries(keyValues(instruction))) env[name] = value ?? '';
  }
  return env;
}

/** The HEALTHCHECK's command: exec array, or the shell string; NONE gives undefined. */
export function healthcheckCommand(instruction: Instruction): { exec?: string[]; shell?: string } | undefined {
  const match = /^CMD\s+([\s\S]*)$/i.exec(instruction.args.trim());
  if (!match) return undefined;
  const exec = execForm(match[1]!);
  return exec ? { exec } : { shell: match[1]!.trim() };
}
