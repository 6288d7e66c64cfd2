import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ConsistencyInterceptor } from './consistency.interceptor';

/** Answers every write with a consistency token and lets reads wait for one (HTTP routes). */
@Module({ providers: [{ provide: APP_INTERCEPTOR, useClass: ConsistencyInterceptor }] })
export class ConsistencyModule {}
