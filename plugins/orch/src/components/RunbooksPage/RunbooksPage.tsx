import { Route, Routes } from 'react-router-dom';
import { RunbookExecutePage } from '../RunbookForm';
import { RunbookCatalog } from './RunbookCatalog';

/** `/runbooks` and `/runbooks/:name/execute`. @public */
export function RunbooksPage() {
  return (
    <Routes>
      <Route path="/" element={<RunbookCatalog />} />
      <Route path="/:name/execute" element={<RunbookExecutePage />} />
    </Routes>
  );
}
