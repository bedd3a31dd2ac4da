import forge from 'node-forge';

export type Pkcs12Algorithm = '3des' | 'aes256';

/**
 * A PKCS#12 keystore the gateway can name in sslCert: Java 17's keystore loader and Node's
 * tls (pfx) both read forge's output. 3DES is the default because OpenSSL 3 reads it without
 * the legacy provider and older JDKs read it too.
 */
export function toPkcs12(
  key: forge.pki.rsa.PrivateKey,
  chain: forge.pki.Certificate[],
  password: string,
  algorithm: Pkcs12Algorithm = '3des',
): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, chain, password, { algorithm, friendlyName: 'gateway' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

export interface Pkcs12Contents {
  key: forge.pki.PrivateKey | null;
  certs: forge.pki.Certificate[];
}

/** Throws on a wrong password or a file that is not PKCS#12. */
export function fromPkcs12(der: Buffer, password: string): Pkcs12Contents {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), password);
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [];
  return {
    key: (keyBags[0]?.key as forge.pki.PrivateKey | undefined) ?? null,
    certs: certBags.map((b) => b.cert).filter((c): c is forge.pki.Certificate => Boolean(c)),
  };
}
