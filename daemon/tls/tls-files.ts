/** The files of the generated TLS material in <dataDir>/tls. */
export const TLS_FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', keystore: 'keystore.p12' } as const;
