"""Imports of the school's classes and staff from a spreadsheet (API.md, «Imports»).

- ``reading``: the file → a header and rows of text cells (openpyxl for .xlsx, ``csv`` for .csv);
- ``cells``: what real files contain → one normal form (classes, names, phones, yes/no, counts);
- ``checking``: rows → problems by row and column, and what apply would do (the plan);
- ``services``: create, read (the worker's part), apply (one transaction), the template file.
"""
