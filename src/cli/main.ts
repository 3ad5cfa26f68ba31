/**
 * The gaussdiff command line (bin/gaussdiff.js): one module per command (table, curve, error, rank, spectrum,
 * validate, synth, pipeline, tradeoff, serve, figure1). Human output on stdout, aligned; `--json` for machines; progress on stderr when it is a terminal
 * and the job is long. Every error, a parse error included, is one line on stderr,
 * `gaussdiff: error [CODE] argument: what (allowed: ...)`, with exit code 2; `--help` and `--version`
 * exit 0.
 */
import { Command, CommanderError } from 'commander';
import { GaussdiffError, closeThreads, adoptWorker } from '../node.js';
import { nearest } from '../core/options.js';
import { exitQuietlyOnClosedPipe } from './output.js';
import { tableCommand } from './table.js';
import { curveCommand } from './curve.js';
import { spectrumCommand } from './spectrum.js';
import { validateCommand } from './validate.js';
import { synthCommand } from './synth.js';
import { errorCommand } from './error.js';
import { rankCommand } from './rank.js';
import { pipelineCommand } from './pipeline.js';
import { tradeoffCommand } from './tradeoff.js';
import { figure1Command } from './figure1.js';
import { serveCommand } from './serve.js';

const VERSION = '0.1.0';

export function program(): Command {
  const prog = new Command('gaussdiff')
    .description('Exact Wasserstein errors of diffusion samplers for Gaussian data N(0, S), from the spectrum of S.')
    .version(VERSION)
    // Commander's own messages are replaced by one typed line (see `parseError`); set before the commands
    // are added, so that they inherit it.
    .exitOverride()
    .configureOutput({ writeErr: () => {}, outputError: () => {} });
  for (const add of [tableCommand, curveCommand, errorCommand, rankCommand, spectrumCommand, validateCommand, synthCommand, pipelineCommand, tradeoffCommand, serveCommand, figure1Command]) add(prog);
  return prog;
}

export { adoptWorker };

const longFlags = (cmd: Command): string[] => [...cmd.options.map((o) => o.long ?? o.short ?? ''), '--help'];

/**
 * A commander parse error as a typed error. `cmd` is the command being parsed (the program until a
 * command is chosen); the flag is the first quoted word of commander's message.
 */
function parseError(err: CommanderError, cmd: Command): GaussdiffError {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? '';
  const flag = quoted.split(/[ ,|]/)[0];
  const option = cmd.options.find((o) => o.long === flag || o.short === flag);
  const described = option ? `${option.flags}: ${option.description}` : '';
  const commands = cmd.commands.map((c) => c.name());
  switch (err.code) {
    case 'commander.unknownOption': {
      const near = nearest(flag, longFlags(cmd));
      return new GaussdiffError('UNKNOWN_OPTION', flag, `unknown option for ${cmd.name()}${near ? ` (did you mean ${near}?)` : ''}`, longFlags(cmd).join(', '));
    }
    case 'commander.unknownCommand': {
      const near = nearest(quoted, commands);
      return new GaussdiffError('UNKNOWN_COMMAND', quoted, `unknown command${near ? ` (did you mean ${near}?)` : ''}`, commands.join(', '));
    }
    case 'commander.optionMissingArgument':
      return new GaussdiffError('MISSING_OPTION', flag, 'needs a value', described);
    case 'commander.missingMandatoryOptionValue':
      return new GaussdiffError('MISSING_OPTION', flag, `is required by ${cmd.name()}`, described);
    case 'commander.excessArguments':
      return new GaussdiffError('UNEXPECTED_ARGUMENT', JSON.stringify(cmd.args[0] ?? ''), `${cmd.name()} takes no arguments, only options`, longFlags(cmd).join(', '));
    case 'commander.help': // no command given
      return new GaussdiffError('MISSING_OPTION', 'command', 'none given (gaussdiff --help lists them)', commands.join(', '));
    default:
      return new GaussdiffError('INVALID_OPTION', flag || cmd.name(), err.message.replace(/^error: /, ''), `see gaussdiff ${cmd.parent ? `${cmd.name()} ` : ''}--help`);
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  exitQuietlyOnClosedPipe();
  const prog = program();
  let active = prog;
  prog.hook('preSubcommand', (_, sub) => { active = sub; });
  try {
    await prog.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError && err.exitCode === 0) return; // --help, --version
    const typed = err instanceof CommanderError ? parseError(err, active) : err;
    if (typed instanceof GaussdiffError) {
      process.stderr.write(`gaussdiff: error [${typed.code}] ${typed.message}\n`);
      process.exitCode = 2;
    } else {
      throw typed;
    }
  } finally {
    // Workers never keep the process alive; stopping them is not waited for.
    void closeThreads();
  }
}
