"""Build: compute once (cached), run the section notebooks in warm kernels, write every output,
print the PDF. Only the command line (``helpers.cli``) sits above it."""
