// Wiring comes with the Host work of issue 2.
return 0;
