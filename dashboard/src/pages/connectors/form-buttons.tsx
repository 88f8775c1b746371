import type { IconButtonProps } from '@rjsf/utils';

/**
 * rjsf's default buttons are Bootstrap 3 glyph icons (empty boxes without Bootstrap's font): the
 * install form uses plain worded buttons in the dashboard's own style instead.
 */
function worded(label: string, extra = '') {
  return function WordedButton({ onClick, disabled, id }: IconButtonProps) {
    return (
      <button type="button" id={id} className={`btn btn-small ${extra}`} onClick={onClick} disabled={disabled}>
        {label}
      </button>
    );
  };
}

export const formButtons = {
  AddButton: worded('Add'),
  RemoveButton: worded('Remove', 'btn-danger'),
  MoveUpButton: worded('Move up'),
  MoveDownButton: worded('Move down'),
  CopyButton: worded('Copy'),
  ClearButton: worded('Clear'),
};
