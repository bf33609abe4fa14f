"""Units and their passports: signing keys, issued credentials and their verification."""
