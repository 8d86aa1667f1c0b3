"""What tests of the server share: runners, signing in through the pages, form tokens."""
