import {
  type Dockerfile,
  type Instruction,
  type Stage,
  healthcheckCommand,
  instructionsOf,
  keyValues,
  parseDockerfile,
  resolvedImage,
  splitWords,
  stageEnv,
  stageNamed,
} from './dockerfile.js';

/**
 * The container contract (DESIGN.md, RELIABILITY.md DP-9 and F-4, issue 3) as checks on a parsed Dockerfile.
 * Returns one message per violation, so a test can show that each rule bites on a broken Dockerfile.
 */
export function imageContractViolations(text: string, options: { nodeMajor: string }): string[] {
  const problems: string[] = [];
  let dockerfile: Dockerfile;
  try {
    dockerfile = parseDockerfile(text);
  } catch (error) {
    return [`unparseable: ${(error as Error).message}`];
  }
  const { stages } = dockerfile;
  if (stages.length < 2) return ['not multi-stage: the runtime stage must not carry the build toolchain'];

  const runtime = stages.at(-1)!;
  const build = stages.find((stage) => runs(stage, /\b(nest build|npm run build)\b/));
  const nodeModulesCopy = instructionsOf(runtime, 'COPY').find((copy) => copy.flags.from && /node_modules/.test(copy.args));
  const deps = nodeModulesCopy ? stageNamed(dockerfile, nodeModulesCopy.flags.from!) : undefined;

  // --build-arg APP=reader|writer selects the service.
  const declaresApp = (stage: Stage | undefined): boolean => !!stage && instructionsOf(stage, 'ARG').some((arg) => 'APP' in keyValues(arg));
  if (!declaresApp(build)) problems.push('the build stage does not declare ARG APP');
  if (!build) problems.push('no build stage (a stage that runs `nest build` or `npm run build`)');
  else {
    if (!runs(build, /\bnpm ci\b/)) problems.push('the build stage does not install with `npm ci`');
    if (build.platform !== '$BUILDPLATFORM')
      problems.push('the build stage must run on --platform=$BUILDPLATFORM (its output is plain JavaScript)');
    if (!runs(build, /reader\|writer/)) problems.push('the build stage does not reject an APP other than reader or writer');
  }

  // Every install: lockfile-exact, and no dependency install scripts (npm 11 also gates them via allowScripts).
  for (const stage of stages) {
    for (const run of instructionsOf(stage, 'RUN')) {
      if (/\bnpm (install|i)\b/.test(run.args)) problems.push(`line ${run.line}: use \`npm ci\`, not \`npm install\``);
      if (/\bnpm ci\b/.test(run.args) && !/--ignore-scripts\b/.test(run.args))
        problems.push(`line ${run.line}: \`npm ci\` without --ignore-scripts`);
    }
  }

  // Production dependencies only, installed in their own stage.
  if (!nodeModulesCopy || !deps) problems.push('the runtime stage does not copy node_modules from a dependencies stage');
  else if (deps === build) problems.push('node_modules come from the build stage, which holds the dev dependencies');
  else if (!runs(deps, /\bnpm ci\b[^\n]*--omit=dev\b/))
    problems.push(`stage "${deps.name ?? deps.index}" does not install with \`npm ci --omit=dev\``);

  // The runtime stage.
  const base = resolvedImage(dockerfile, runtime);
  const baseMatch = /^node:(\d+)-/.exec(base);
  if (!baseMatch) problems.push(`runtime base image "${base}" is not an official node image pinned by major version`);
  else if (baseMatch[1] !== options.nodeMajor) problems.push(`runtime base image "${base}" is not Node ${options.nodeMajor} (.nvmrc)`);
  if (build && resolvedImage(dockerfile, build) !== base) problems.push('build and runtime stages use different base images');
  if (runtime.platform) problems.push('the runtime stage must be built for the target platform (no --platform on its FROM)');
  for (const run of instructionsOf(runtime, 'RUN')) {
    problems.push(`line ${run.line}: RUN in the runtime stage needs emulation for a cross-platform build; do the work in an earlier stage`);
  }
  for (const copy of instructionsOf(runtime, 'COPY').concat(instructionsOf(runtime, 'ADD'))) {
    if (copy.flags.from) continue;
    const sources = (copy.exec ?? splitWords(copy.args)).slice(0, -1);
    const unexpected = sources.filter((source) => !['package.json', 'package-lock.json'].includes(source));
    if (unexpected.length > 0)
      problems.push(
        `line ${copy.line}: the runtime stage copies ${unexpected.join(', ')} from the build context (only package.json and the lockfile belong there)`,
      );
  }

  const env = stageEnv(dockerfile, runtime);
  if (env.NODE_ENV !== 'production') problems.push(`NODE_ENV is ${JSON.stringify(env.NODE_ENV)} in the runtime stage, not "production"`);
  if (env.PORT !== '8000') problems.push(`PORT is ${JSON.stringify(env.PORT)} in the runtime stage, not "8000" (ECS)`);
  const exposed = instructionsOf(runtime, 'EXPOSE').flatMap((expose) => splitWords(expose.args));
  if (!exposed.some((port) => port === '8000' || port === '8000/tcp')) problems.push('the runtime stage does not EXPOSE 8000');

  const user = last(instructionsOf(runtime, 'USER'))?.args.trim();
  if (!user) problems.push('no USER in the runtime stage: the container would run as root');
  else if (['root', '0'].includes(user.split(':')[0]!)) problems.push(`USER ${user} is root`);
  else if (user !== 'node' && !/^\d+(:\d+)?$/.test(user))
    problems.push(`USER ${user}: use the base image's "node" user (uid 1000) that the ECS task definition names`);

  // DP-9: node is PID 1 (or the child of an init) and receives SIGTERM itself.
  const entrypoint = last(instructionsOf(runtime, 'ENTRYPOINT'));
  const cmd = last(instructionsOf(runtime, 'CMD'));
  if (!entrypoint?.exec) problems.push('ENTRYPOINT is missing or in shell form: SIGTERM would go to /bin/sh, not node');
  else {
    if (entrypoint.exec[0] !== 'node') problems.push(`ENTRYPOINT runs ${JSON.stringify(entrypoint.exec[0])}, not node directly`);
    if (entrypoint.exec.some((word) => /^(npm|npx|yarn|sh|bash|\/bin\/sh|\/bin\/bash|-c)$/.test(word))) {
      problems.push(`ENTRYPOINT ${JSON.stringify(entrypoint.exec)} goes through npm or a shell`);
    }
    if (!entrypoint.exec.slice(1).some((word) => /\.m?js$/.test(word))) problems.push('ENTRYPOINT does not name a JavaScript entry file');
  }
  if (!cmd?.exec) problems.push('CMD is missing or in shell form');
  else if (JSON.stringify(cmd.exec) !== '["serve"]') problems.push(`CMD is ${JSON.stringify(cmd.exec)}, not ["serve"]`);
  const stopSignal = last(instructionsOf(runtime, 'STOPSIGNAL'))?.args.trim();
  if (stopSignal && stopSignal !== 'SIGTERM') problems.push(`STOPSIGNAL ${stopSignal}: the app drains on SIGTERM`);

  const healthcheck = last(instructionsOf(runtime, 'HEALTHCHECK'));
  const check = healthcheck ? healthcheckCommand(healthcheck) : undefined;
  if (!check) problems.push('no HEALTHCHECK in the runtime stage');
  else {
    const words = check.exec ?? splitWords(check.shell!);
    if (words[0] !== 'node') problems.push(`HEALTHCHECK runs ${JSON.stringify(words[0])}, not node (the image has no curl or wget)`);
    if (/\b(curl|wget)\b/.test(words.join(' '))) problems.push('HEALTHCHECK uses curl or wget');
    if (!/127\.0\.0\.1/.test(words.join(' ')) || !/\/health\b(?!\/ready)/.test(words.join(' '))) {
      problems.push('HEALTHCHECK does not probe liveness at 127.0.0.1 …/health (no database call, like the ECS check)');
    }
  }
  return problems;
}

function runs(stage: Stage, pattern: RegExp): boolean {
  return instructionsOf(stage, 'RUN').some((run: Instruction) => pattern.test(run.args));
}

function last<T>(items: T[]): T | undefined {
  return items.at(-1);
}
