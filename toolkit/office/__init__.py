"""Documents that are not the register: new workbooks, annotated copies, teacher workbooks, Word templates,
PDF through LibreOffice."""
