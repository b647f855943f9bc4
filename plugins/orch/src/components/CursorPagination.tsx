import TablePagination from '@mui/material/TablePagination';

/**
 * MUI's table pagination over a keyset-paged list (see `useCursorPages`):
 * the total is unknown while there is a next page, so the range label says
 * what is shown and whether more follows.
 */
export function CursorPagination(props: {
  pageIndex: number;
  itemCount: number;
  hasMore: boolean;
  rowsPerPage: number;
  next: () => void;
  previous: () => void;
  /** The range label: `more` when a next page exists. */
  rangeLabel: (range: { from: string; to: string }, more: boolean) => string;
  nextLabel: string;
  previousLabel: string;
  rowsPerPageOptions?: number[];
  onRowsPerPageChange?: (value: string) => void;
  labelRowsPerPage?: string;
}) {
  const from = props.pageIndex * props.rowsPerPage;
  const range = {
    from: String(from + 1),
    to: String(from + props.itemCount),
  };
  return (
    <TablePagination
      component="div"
      count={props.hasMore ? -1 : from + props.itemCount}
      page={props.pageIndex}
      rowsPerPage={props.rowsPerPage}
      rowsPerPageOptions={props.rowsPerPageOptions ?? []}
      onPageChange={(_, page) =>
        page > props.pageIndex ? props.next() : props.previous()
      }
      onRowsPerPageChange={
        props.onRowsPerPageChange &&
        (e => props.onRowsPerPageChange!(e.target.value))
      }
      labelRowsPerPage={props.labelRowsPerPage}
      // MUI counts a full page when the total is unknown: say what is shown.
      labelDisplayedRows={() => props.rangeLabel(range, props.hasMore)}
      getItemAriaLabel={type =>
        type === 'next' ? props.nextLabel : props.previousLabel
      }
      showFirstButton={false}
      showLastButton={false}
    />
  );
}
