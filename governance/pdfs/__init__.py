"""The assemblies' PDFs, each printed through coop.documents.pdf_from_html: the attendance
sheet and the minutes. (The letters of convocation and cancellation, governance/documents.py,
belong here too, as `letters`.)"""
