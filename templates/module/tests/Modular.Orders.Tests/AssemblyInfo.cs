[assembly: AssemblyFixture(typeof(PostgresServer))]
