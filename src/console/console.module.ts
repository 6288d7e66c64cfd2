import { Module } from '@nestjs/common';
import { ConsoleController } from './console.controller';

/** The web console (console/ at the repository root), served from its built assets. */
@Module({ controllers: [ConsoleController] })
export class ConsoleModule {}
