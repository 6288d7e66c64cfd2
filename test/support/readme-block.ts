/** The shell block that follows `marker` in the README, exactly as a reader would paste it. */
export function readmeBlock(readme: string, marker: string): string {
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no "${marker}" marker`);
  const fence = readme.indexOf('```sh\n', at);
  const end = readme.indexOf('\n```', fence + 1);
  if (fence < 0 || end < 0) throw new Error(`No \`\`\`sh block after the "${marker}" marker`);
  return readme.slice(fence + '```sh\n'.length, end + 1);
}

/**
 * The answers a block documents: each `# => ` comment (continued by `#   ` lines) as a pattern
 * in which `...` stands for any text.
 */
export function documentedAnswers(block: string): RegExp[] {
  const answers: string[] = [];
  let continuing = false;
  for (const line of block.split('\n')) {
    if (line.startsWith('# => ')) {
      answers.push(line.slice('# => '.length).trim());
      continuing = true;
    } else if (continuing && /^# {2,}\S/.test(line)) {
      answers[answers.length - 1] += line.slice(1).trim();
    } else {
      continuing = false;
    }
  }
  return answers.map((answer) => new RegExp(`^${answer.split('...').map(escapeRegExp).join('.*?')}$`));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The test runner's own settings must not leak into the reader's shell. */
export function withoutServiceSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { PORT: _port, GRPC_PORT: _grpcPort, EVENT_STORE: _store, DATABASE_URL: _url, ...rest } = env;
  return rest;
}
