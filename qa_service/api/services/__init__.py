"""What the routers do, apart from HTTP: ingesting uploads, reviews, disputes, rescoring."""
