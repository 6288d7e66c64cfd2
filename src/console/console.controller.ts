import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth';
import { notFound } from '../common/errors/api-error';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { consoleAssetsDir } from './console-assets';
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

/** The parts of Express's request and response used here (Express ships no types of its own). */
interface Request {
  readonly path: string;
  readonly originalUrl: string;
}
interface Response {
  setHeader(name: string, value: string): void;
  redirect(status: number, url: string): void;
  sendFile(path: string, options: { root: string; dotfiles?: 'deny' }): void;
}

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

  /** Declared before the page route, which would otherwise answer this path with the page. */
  @Get(CONSOLE_SETTINGS_PATH.slice(1))
  @Header('Cache-Control', 'no-cache')
  config(): ConsoleSettings {
    return this.settings;
  }

  @Get(['console', 'console/{*path}'])
  serve(@Req() request: Request, @Res() response: Response): void {
    // Relative asset addresses need the trailing slash; Express matches /console without it too.
    if (request.originalUrl.split('?')[0] === '/console') {
      response.redirect(308, '/console/');
      return;
    }
    if (!existsSync(join(this.root, 'index.html'))) throw notFound(CONSOLE_NOT_BUILT_ID, 'The console is not built: run npm run build');
    const relative = normalize(request.path.slice('/console/'.length));
    response.setHeader('Content-Security-Policy', this.contentSecurityPolicy);
    response.setHeader('Referrer-Policy', 'no-referrer');
    if (relative.startsWith('assets/')) {
      // sendFile's root refuses paths that leave the folder; '..' is refused here before that.
      if (relative.includes('..') || !existsSync(join(this.root, relative))) throw notFound(CONSOLE_ASSET_NOT_FOUND_ID, 'No such console asset');
      // Set here: the API's default `no-store` would otherwise stay, and file names change with content.
      response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      response.sendFile(relative, { root: this.root, dotfiles: 'deny' });
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile('index.html', { root: this.root });
  }
}
