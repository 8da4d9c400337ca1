"""The round's documents for people outside Teams: the Excel workbook of raw data and the Word
summary for the regional government, with their charts."""
