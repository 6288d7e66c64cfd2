import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../auth';
import { notFound } from '../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { consoleAssetsDir } from '../assets';
import { CONSOLE_SETTINGS_PATH, consoleSettings, type ConsoleSettings } from './console-settings';

/**
 * The console runs on this origin only and loads nothing from elsewhere. It calls no other
 * origin but the OIDC provider's, when one is configured (discovery document and token endpoint).
 */
function contentSecurityPolicy(oidcIssuer: string | undefined): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Dialog primitives add a style element to lock scrolling while open.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    oidcIssuer === undefined ? "connect-src 'self'" : `connect-src 'self' ${new URL(oidcIssuer).origin}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** Content types of the files the console build emits. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export const CONSOLE_NOT_BUILT_ID = 'CONSOLE-3n8t0bq1lk';
export const CONSOLE_ASSET_NOT_FOUND_ID = 'CONSOLE-8w2jd5rk0e';

/**
 * Serves the web console's built assets at /console. Hashed files under assets/ are cached
 * for good; every other path is a page of the single-page app and gets index.html.
 */
@ApiExcludeController()
@Public()
@Controller()
export class ConsoleController {
  private readonly root = consoleAssetsDir();
  private readonly settings: ConsoleSettings;
  private readonly contentSecurityPolicy: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.settings = consoleSettings(config);
    this.contentSecurityPolicy = contentSecurityPolicy(config.consoleOidc?.issuer);
  }

  /** A path of its own: the router prefers it to the page route's wildcard. */
  @Get(CONSOLE_SETTINGS_PATH.slice(1))
  @Header('Cache-Control', 'no-cache')
  config(): ConsoleSettings {
    return this.settings;
  }

  @Get(['console', 'console/*'])
  serve(@Req() request: FastifyRequest, @Res() response: FastifyReply): void {
    const path = request.url.split('?', 1)[0];
    // Relative asset addresses need the trailing slash; the router matches /console without it too.
    if (path === '/console') {
      void response.redirect('/console/', 308);
      return;
    }
    if (!existsSync(join(this.root, 'index.html'))) throw notFound(CONSOLE_NOT_BUILT_ID, 'The console is not built: run npm run build');
    const relative = normalize(path.slice('/console/'.length));
    response.header('Content-Security-Policy', this.contentSecurityPolicy);
    response.header('Referrer-Policy', 'no-referrer');
    if (relative.startsWith('assets/')) {
      // Nothing outside the folder, and no hidden files, ever: '..' and dot segments are refused.
      if (relative.includes('..') || relative.split('/').some((segment) => segment.startsWith('.')) || !existsSync(join(this.root, relative))) {
        throw notFound(CONSOLE_ASSET_NOT_FOUND_ID, 'No such console asset');
      }
      // Set here: the API's default `no-store` would otherwise stay, and file names change with content.
      response.header('Cache-Control', 'public, max-age=31536000, immutable');
      this.send(response, relative);
      return;
    }
    response.header('Cache-Control', 'no-cache');
    this.send(response, 'index.html');
  }

  private send(response: FastifyReply, relative: string): void {
    void response.type(CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream').send(readFileSync(join(this.root, relative)));
  }
}
