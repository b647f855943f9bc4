import { render, screen } from '@testing-library/react';
import App from './App';

// The lazy messages may take longer than Jest's default 5 s on a busy machine.
jest.setTimeout(30_000);

// Its own file: the app reads its configuration once per module instance.
describe('App in Brazilian Portuguese', () => {
  it('speaks Brazilian Portuguese on the sign-in page when chosen', async () => {
    localStorage.setItem('language', 'pt-BR');
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: {
              title: 'Test',
              extensions: [
                {
                  'api:app/app-language': {
                    config: { availableLanguages: ['en', 'pt-BR'] },
                  },
                },
              ],
            },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    render(App.createRoot());

    // The Portuguese messages load lazily: give a busy machine room.
    expect(
      await screen.findByRole(
        'button',
        { name: 'Entrar' },
        { timeout: 15_000 },
      ),
    ).toBeInTheDocument();
    expect(screen.getByLabelText(/^Senha/)).toHaveAttribute('type', 'password');
    expect(screen.getByText('Esqueceu a senha?')).toBeInTheDocument();
    localStorage.removeItem('language');
  });
});
