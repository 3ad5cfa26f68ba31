/** `gaussdiff synth`: ADSN texture synthesis, a random texture with the Gaussian statistics of an image. */
import { type Command, Option } from 'commander';
import { synthesizeAdsn, encodePng, readPng } from '../node.js';
import { writeFileAtomic, checkOutputPath } from '../io/files.js';
import { integer } from './options.js';

export function synthCommand(prog: Command): void {
  const cmd = prog.command('synth')
    .description('ADSN texture synthesis: a random texture with the Gaussian statistics of an image')
    .requiredOption('--adsn <image.png>', 'the example image (PNG)')
    .requiredOption('--out <sample.png>', 'where to write the synthesised PNG')
    .addOption(new Option('--seed <S>', 'random seed (an integer from 0 to 2^53 - 1)').argParser(integer('--seed', 0, Number.MAX_SAFE_INTEGER)).default(0));
  cmd.action(async (o) => {
    checkOutputPath(o.out, '--out');
    const { image } = await synthesizeAdsn(await readPng(o.adsn), { seed: o.seed });
    await writeFileAtomic(o.out, encodePng(image));
    process.stderr.write(`synth: ${image.channels} x ${image.height} x ${image.width} -> ${o.out}\n`);
  });
}
