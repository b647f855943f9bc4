import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import { navModule } from './modules/nav';
import { shellModule } from './modules/shell';
import { signInModule } from './modules/signIn';
import { themeModule } from './modules/theme';
import { translationsModule } from './modules/translations';

export default createApp({
  features: [
    catalogPlugin,
    navModule,
    shellModule,
    signInModule,
    themeModule,
    translationsModule,
  ],
});
