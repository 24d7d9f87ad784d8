// A deliberate mistake: a misspelt option name must be a type error.
import { createVerifier } from '@latchkey/resource';

createVerifier({ issuer: 'https://auth.example', audeince: 'https://api.example' });
