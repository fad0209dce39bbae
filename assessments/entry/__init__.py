"""Entry by BNNK staff: the collection, questionnaire list, start and fill pages, and their forms."""
