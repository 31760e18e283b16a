import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { readDashboardConfig } from './config.ts';
import './styles.css';

const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App config={readDashboardConfig(window.location)} />
    </StrictMode>,
  );
