<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="es_MX">
<context>
    <name>station</name>
    <message>
        <source>&amp;Acopio</source>
        <translation>&amp;Intake</translation>
    </message>
    <message>
        <source>&amp;Captura</source>
        <translation>&amp;Capture</translation>
    </message>
    <message>
        <source>&amp;Digitalización</source>
        <translation>&amp;Scanning</translation>
    </message>
    <message>
        <source>&amp;Estado</source>
        <translation>S&amp;tatus</translation>
    </message>
    <message>
        <source>&amp;Idioma</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>&amp;Operadores</source>
        <translation>&amp;Operators</translation>
    </message>
    <message>
        <source>&amp;Sesión</source>
        <translation>&amp;Session</translation>
    </message>
    <message>
        <source>&amp;Ver</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>&amp;Verificación</source>
        <translation>&amp;Verification</translation>
    </message>
    <message>
        <source>Abrir</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>Abrir la estación</source>
        <translation>Open the station</translation>
    </message>
    <message>
        <source>Aceptar</source>
        <translation>Accept</translation>
    </message>
    <message>
        <source>Aceptar etiqueta</source>
        <translation>Accept the label</translation>
    </message>
    <message>
        <source>Acerca de PREP Abierto</source>
        <translation>About PREP Abierto</translation>
    </message>
    <message>
        <source>Acerca de PREP Abierto…</source>
        <translation>About PREP Abierto…</translation>
    </message>
    <message>
        <source>Acopiada</source>
        <translation>Received</translation>
    </message>
    <message>
        <source>Acopio</source>
        <translation>Intake (acopio)</translation>
    </message>
    <message>
        <source>Acopio registrado</source>
        <translation>Intake registered</translation>
    </message>
    <message>
        <source>Acta completa</source>
        <translation>Whole acta</translation>
    </message>
    <message>
        <source>Acta devuelta a captura</source>
        <translation>Acta sent back to capture</translation>
    </message>
    <message>
        <source>Actas por estado</source>
        <translation>Actas by status</translation>
    </message>
    <message>
        <source>Agregar operador</source>
        <translation>Add operator</translation>
    </message>
    <message>
        <source>Alta</source>
        <translation>Enrollment</translation>
    </message>
    <message>
        <source>Aprobación importada; la estación está dada de alta</source>
        <translation>Approval imported; the station is enrolled</translation>
    </message>
    <message>
        <source>Aprobada</source>
        <translation>Approved</translation>
    </message>
    <message>
        <source>Aprobada por archivo</source>
        <translation>Approved by file</translation>
    </message>
    <message>
        <source>Archivo o carpeta</source>
        <translation>File or folder</translation>
    </message>
    <message>
        <source>Asignar clave</source>
        <translation>Assign clave</translation>
    </message>
    <message>
        <source>Ay&amp;uda</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>Buscar escáneres</source>
        <translation>Find scanners</translation>
    </message>
    <message>
        <source>Busque cada una en su paquete y escanéela de nuevo: la estación acepta la imagen nueva y la manda a captura.</source>
        <translation>Find each one in its package and scan it again: the station takes the new image and sends it to capture.</translation>
    </message>
    <message>
        <source>CATD (acopio y digitalización)</source>
        <translation>CATD (intake and scanning)</translation>
    </message>
    <message>
        <source>CCV (captura y verificación)</source>
        <translation>CCV (capture and verification)</translation>
    </message>
    <message>
        <source>Campo actual (ampliado)</source>
        <translation>Current field (zoomed)</translation>
    </message>
    <message>
        <source>Captura</source>
        <translation>Capture</translation>
    </message>
    <message>
        <source>Capturada una vez</source>
        <translation>Captured once</translation>
    </message>
    <message>
        <source>Capture de nuevo todos los campos tal como están escritos en el acta; las capturas anteriores quedaron apartadas.</source>
        <translation>Capture every field again as written on the acta; the earlier captures were set aside.</translation>
    </message>
    <message>
        <source>Capture todos los campos de esta imagen nueva.</source>
        <translation>Capture every field of this new image.</translation>
    </message>
    <message>
        <source>Carpeta</source>
        <translation>Folder</translation>
    </message>
    <message>
        <source>Carpeta del catálogo</source>
        <translation>Catalog folder</translation>
    </message>
    <message>
        <source>Carpeta vigilada</source>
        <translation>Watched folder</translation>
    </message>
    <message>
        <source>Carpeta vigilada e importación</source>
        <translation>Watched folder and import</translation>
    </message>
    <message>
        <source>Casilla no instalada</source>
        <translation>Polling station not set up</translation>
    </message>
    <message>
        <source>Catálogo</source>
        <translation>Catalog</translation>
    </message>
    <message>
        <source>Causa (Sin acta)</source>
        <translation>Cause (no acta)</translation>
    </message>
    <message>
        <source>Cerrar sesión</source>
        <translation>Log out</translation>
    </message>
    <message>
        <source>Clave</source>
        <translation>Key</translation>
    </message>
    <message>
        <source>Clave del acta</source>
        <translation>Acta clave</translation>
    </message>
    <message>
        <source>Clave tecleada a mano por</source>
        <translation>Key typed by hand by</translation>
    </message>
    <message>
        <source>Color</source>
        <translation>Colour</translation>
    </message>
    <message>
        <source>Compare esta huella con la que imprime «prep integrity» en el equipo instalado, con la de la consola de coordinación y con la del manifiesto de cada corte publicado: si difieren, el código no es el mismo.</source>
        <translation>Compare this hash with the one 'prep integrity' prints on the installed computer, with the coordination console's and with each published cut's manifest: if they differ, the code is not the same.</translation>
    </message>
    <message>
        <source>Conectando…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <source>Conexión</source>
        <translation>Connection</translation>
    </message>
    <message>
        <source>Configuración inicial de la estación</source>
        <translation>Station first-run setup</translation>
    </message>
    <message>
        <source>Confirmar</source>
        <translation>Confirm</translation>
    </message>
    <message>
        <source>Confirmar la clave tecleada</source>
        <translation>Confirm the typed key</translation>
    </message>
    <message>
        <source>Conflicto</source>
        <translation>Conflict</translation>
    </message>
    <message>
        <source>Contingencia de urna electrónica</source>
        <translation>Electronic ballot box contingency</translation>
    </message>
    <message>
        <source>Contraseña</source>
        <translation>Password</translation>
    </message>
    <message>
        <source>Contraseña del supervisor</source>
        <translation>Supervisor password</translation>
    </message>
    <message>
        <source>Copiar la huella</source>
        <translation>Copy the hash</translation>
    </message>
    <message>
        <source>Corregir clave</source>
        <translation>Correct the key</translation>
    </message>
    <message>
        <source>Cotejo (supervisión)</source>
        <translation>Check against image (supervisor)</translation>
    </message>
    <message>
        <source>Cotejo registrado</source>
        <translation>Check recorded</translation>
    </message>
    <message>
        <source>Crear estación</source>
        <translation>Create station</translation>
    </message>
    <message>
        <source>Código</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Código de inscripción</source>
        <translation>Enrollment code</translation>
    </message>
    <message>
        <source>Código de inscripción guardado; se envía al sincronizar</source>
        <translation>Enrollment code saved; it is sent on the next sync</translation>
    </message>
    <message>
        <source>Código de inscripción rechazado: escriba uno nuevo</source>
        <translation>Enrollment code refused: type a new one</translation>
    </message>
    <message>
        <source>Decisión del supervisor</source>
        <translation>Supervisor's decision</translation>
    </message>
    <message>
        <source>Descargando el catálogo…</source>
        <translation>Downloading the catalog…</translation>
    </message>
    <message>
        <source>Detalle</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>Detener</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>Devolver a captura</source>
        <translation>Send back to capture</translation>
    </message>
    <message>
        <source>Devolver a digitalización</source>
        <translation>Send back to scanning</translation>
    </message>
    <message>
        <source>Devueltas para volver a digitalizar</source>
        <translation>Sent back to be scanned again</translation>
    </message>
    <message>
        <source>Digitalización</source>
        <translation>Scanning (digitalización)</translation>
    </message>
    <message>
        <source>Digitalizada</source>
        <translation>Scanned</translation>
    </message>
    <message>
        <source>Discrepancia</source>
        <translation>Disagreement</translation>
    </message>
    <message>
        <source>Dispositivo</source>
        <translation>Device</translation>
    </message>
    <message>
        <source>Distrito / municipio</source>
        <translation>District / municipio</translation>
    </message>
    <message>
        <source>El archivo no es JSON legible</source>
        <translation>The file is not readable JSON</translation>
    </message>
    <message>
        <source>Elija un escáner (Buscar escáneres)</source>
        <translation>Choose a scanner (Find scanners)</translation>
    </message>
    <message>
        <source>En espera de aprobación</source>
        <translation>Awaiting approval</translation>
    </message>
    <message>
        <source>En fila</source>
        <translation>Queued</translation>
    </message>
    <message>
        <source>En línea</source>
        <translation>Online</translation>
    </message>
    <message>
        <source>Enter: siguiente campo · I: Ilegible · S: Sin dato · Ctrl+Enter: guardar</source>
        <translation>Enter: next field · I: Illegible · S: No data · Ctrl+Enter: save</translation>
    </message>
    <message>
        <source>Entrar</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <source>Error de sincronización</source>
        <translation>Sync error</translation>
    </message>
    <message>
        <source>Escala de grises</source>
        <translation>Greyscale</translation>
    </message>
    <message>
        <source>Escanear</source>
        <translation>Scan</translation>
    </message>
    <message>
        <source>Escrito en el acta</source>
        <translation>Written on the acta</translation>
    </message>
    <message>
        <source>Escáner (SANE)</source>
        <translation>Scanner (SANE)</translation>
    </message>
    <message>
        <source>Espere a que termine el lote</source>
        <translation>Wait for the batch to finish</translation>
    </message>
    <message>
        <source>Estación</source>
        <translation>Station</translation>
    </message>
    <message>
        <source>Estación de captura</source>
        <translation>Capture station</translation>
    </message>
    <message>
        <source>Estado de la estación</source>
        <translation>Station status</translation>
    </message>
    <message>
        <source>Etiqueta</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Etiqueta y acta</source>
        <translation>Label and acta</translation>
    </message>
    <message>
        <source>Eventos por enviar</source>
        <translation>Events to send</translation>
    </message>
    <message>
        <source>Examinar…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>Exportados</source>
        <translation>Exported</translation>
    </message>
    <message>
        <source>Exportar lote</source>
        <translation>Export batch</translation>
    </message>
    <message>
        <source>Exportar pendientes a USB…</source>
        <translation>Export pending to USB…</translation>
    </message>
    <message>
        <source>Frase de acceso de la llave</source>
        <translation>Key passphrase</translation>
    </message>
    <message>
        <source>Guardada; estado del acta</source>
        <translation>Saved; acta status</translation>
    </message>
    <message>
        <source>Guardada; se enviará al servidor, que la compara con las demás capturas</source>
        <translation>Saved; it goes to the server, which compares it with the other captures</translation>
    </message>
    <message>
        <source>Guardar (Ctrl+Enter)</source>
        <translation>Save (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Huella de la llave</source>
        <translation>Key fingerprint</translation>
    </message>
    <message>
        <source>Huella del código (SHA-256)</source>
        <translation>Code hash (SHA-256)</translation>
    </message>
    <message>
        <source>Huella esperada</source>
        <translation>Expected fingerprint</translation>
    </message>
    <message>
        <source>Identificador de la estación</source>
        <translation>Station id</translation>
    </message>
    <message>
        <source>Imagen nueva de un acta devuelta a digitalización</source>
        <translation>New image of an acta sent back for scanning</translation>
    </message>
    <message>
        <source>Importar aprobación</source>
        <translation>Import approval</translation>
    </message>
    <message>
        <source>Importar aprobación…</source>
        <translation>Import approval…</translation>
    </message>
    <message>
        <source>Importar archivos…</source>
        <translation>Import files…</translation>
    </message>
    <message>
        <source>Importar imágenes de actas</source>
        <translation>Import acta images</translation>
    </message>
    <message>
        <source>Importar recibos</source>
        <translation>Import receipts</translation>
    </message>
    <message>
        <source>Importar recibos…</source>
        <translation>Import receipts…</translation>
    </message>
    <message>
        <source>Imágenes</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Indique la carpeta vigilada</source>
        <translation>Choose the watched folder</translation>
    </message>
    <message>
        <source>Inicio de sesión</source>
        <translation>Log in</translation>
    </message>
    <message>
        <source>La etiqueta no coincide con lo escrito en el acta: no se captura hasta que un supervisor decida.</source>
        <translation>The label disagrees with what is written on the acta: it is not captured until a supervisor decides.</translation>
    </message>
    <message>
        <source>Lea el QR de la etiqueta con el lector o escriba la clave del acta y pulse Enter.</source>
        <translation>Scan the label's QR with the reader, or type the acta's clave, and press Enter.</translation>
    </message>
    <message>
        <source>Letra más grande</source>
        <translation>Larger text</translation>
    </message>
    <message>
        <source>Letra más pequeña</source>
        <translation>Smaller text</translation>
    </message>
    <message>
        <source>Listo</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>Lote (alimentador automático)</source>
        <translation>Batch (document feeder)</translation>
    </message>
    <message>
        <source>Lote terminado</source>
        <translation>Batch finished</translation>
    </message>
    <message>
        <source>Memoria USB</source>
        <translation>USB drive</translation>
    </message>
    <message>
        <source>Motivo</source>
        <translation>Reason</translation>
    </message>
    <message>
        <source>No hay actas pendientes</source>
        <translation>No actas waiting</translation>
    </message>
    <message>
        <source>No hay servidor configurado; use la exportación USB</source>
        <translation>No server configured; use USB export</translation>
    </message>
    <message>
        <source>No se encontró ningún escáner</source>
        <translation>No scanner found</translation>
    </message>
    <message>
        <source>Nombre</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Nombre del supervisor</source>
        <translation>Supervisor name</translation>
    </message>
    <message>
        <source>Número de casilla</source>
        <translation>Casilla number</translation>
    </message>
    <message>
        <source>Operadores</source>
        <translation>Operators</translation>
    </message>
    <message>
        <source>PREP Abierto · Estación de captura</source>
        <translation>PREP Abierto · Capture station</translation>
    </message>
    <message>
        <source>Paquete no entregado</source>
        <translation>Package not delivered</translation>
    </message>
    <message>
        <source>Por enviar</source>
        <translation>To send</translation>
    </message>
    <message>
        <source>Procesando…</source>
        <translation>Processing…</translation>
    </message>
    <message>
        <source>Procesar carpeta</source>
        <translation>Process folder</translation>
    </message>
    <message>
        <source>Página</source>
        <translation>Page</translation>
    </message>
    <message>
        <source>Página sin QR: clave del acta</source>
        <translation>Page without QR: acta clave</translation>
    </message>
    <message>
        <source>Páginas</source>
        <translation>Pages</translation>
    </message>
    <message>
        <source>Páginas con problemas (más recientes primero)</source>
        <translation>Pages with problems (newest first)</translation>
    </message>
    <message>
        <source>QR o clave del acta</source>
        <translation>QR or acta clave</translation>
    </message>
    <message>
        <source>Quién decide</source>
        <translation>Who decides</translation>
    </message>
    <message>
        <source>Recibos importados</source>
        <translation>Receipts imported</translation>
    </message>
    <message>
        <source>Reescanear</source>
        <translation>Scan again</translation>
    </message>
    <message>
        <source>Registradas en esta sesión</source>
        <translation>Registered in this session</translation>
    </message>
    <message>
        <source>Registrar Sin acta</source>
        <translation>Register no acta</translation>
    </message>
    <message>
        <source>Registrar llegada (Enter)</source>
        <translation>Register arrival (Enter)</translation>
    </message>
    <message>
        <source>Repita la frase de acceso</source>
        <translation>Repeat the passphrase</translation>
    </message>
    <message>
        <source>Resolución</source>
        <translation>Resolution</translation>
    </message>
    <message>
        <source>Resultado</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>Ritmo (última hora)</source>
        <translation>Rate (last hour)</translation>
    </message>
    <message>
        <source>Rol</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>SANE disponible</source>
        <translation>SANE available</translation>
    </message>
    <message>
        <source>Salir</source>
        <translation>Quit</translation>
    </message>
    <message>
        <source>Sección</source>
        <translation>Sección</translation>
    </message>
    <message>
        <source>Seleccione una página «Sin QR» de la tabla</source>
        <translation>Select a 'No QR' page in the table</translation>
    </message>
    <message>
        <source>Servidor</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>Servidor (opcional)</source>
        <translation>Server (optional)</translation>
    </message>
    <message>
        <source>Siguiente acta</source>
        <translation>Next acta</translation>
    </message>
    <message>
        <source>Sin acta</source>
        <translation>No acta</translation>
    </message>
    <message>
        <source>Sin acta registrada</source>
        <translation>No-acta registered</translation>
    </message>
    <message>
        <source>Sin conexión</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Sin imagen</source>
        <translation>No image</translation>
    </message>
    <message>
        <source>Sin servidor</source>
        <translation>No server</translation>
    </message>
    <message>
        <source>Sin sobre</source>
        <translation>No envelope</translation>
    </message>
    <message>
        <source>Sincronización</source>
        <translation>Synchronisation</translation>
    </message>
    <message>
        <source>Sincronizar ahora</source>
        <translation>Sync now</translation>
    </message>
    <message>
        <source>Solicitud de alta</source>
        <translation>Enrollment request</translation>
    </message>
    <message>
        <source>Solicitud de alta a USB…</source>
        <translation>Enrollment request to USB…</translation>
    </message>
    <message>
        <source>Solicitud de alta guardada; impórtela en la consola</source>
        <translation>Enrollment request saved; import it in the console</translation>
    </message>
    <message>
        <source>Supervisión</source>
        <translation>Supervision</translation>
    </message>
    <message>
        <source>Tipo de casilla</source>
        <translation>Casilla type</translation>
    </message>
    <message>
        <source>Tipo de centro</source>
        <translation>Centre type</translation>
    </message>
    <message>
        <source>Ubique el campo en el acta completa</source>
        <translation>Find the field on the whole acta</translation>
    </message>
    <message>
        <source>Usar el código</source>
        <translation>Use the code</translation>
    </message>
    <message>
        <source>Usuario</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Usuario supervisor</source>
        <translation>Supervisor user</translation>
    </message>
    <message>
        <source>Verificación</source>
        <translation>Verification</translation>
    </message>
    <message>
        <source>Verificada</source>
        <translation>Verified</translation>
    </message>
    <message>
        <source>Versión</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Vigilar automáticamente</source>
        <translation>Watch automatically</translation>
    </message>
    <message>
        <source>XXXX-XXXX-XXXX-XXXX (lo da la coordinación)</source>
        <translation>XXXX-XXXX-XXXX-XXXX (from the coordinators)</translation>
    </message>
    <message>
        <source>aceptada</source>
        <translation>accepted</translation>
    </message>
    <message>
        <source>capturas</source>
        <translation>captures</translation>
    </message>
    <message>
        <source>carpeta del catálogo (catalog.json + casillas.csv)</source>
        <translation>catalog folder (catalog.json + casillas.csv)</translation>
    </message>
    <message>
        <source>clave correcta del acta</source>
        <translation>the acta's right key</translation>
    </message>
    <message>
        <source>clave del acta verificada</source>
        <translation>clave of a verified acta</translation>
    </message>
    <message>
        <source>contraseña</source>
        <translation>password</translation>
    </message>
    <message>
        <source>decisiones nuevas del servidor</source>
        <translation>new decisions from the server</translation>
    </message>
    <message>
        <source>del servidor</source>
        <translation>from the server</translation>
    </message>
    <message>
        <source>en el cotejo</source>
        <translation>at the cotejo</translation>
    </message>
    <message>
        <source>escriba la clave viendo la imagen</source>
        <translation>type the key looking at the image</translation>
    </message>
    <message>
        <source>huella publicada del catálogo (opcional)</source>
        <translation>published catalog fingerprint (optional)</translation>
    </message>
    <message>
        <source>imagen no disponible</source>
        <translation>image not available</translation>
    </message>
    <message>
        <source>las frases de acceso no coinciden</source>
        <translation>the passphrases differ</translation>
    </message>
    <message>
        <source>motivo</source>
        <translation>reason</translation>
    </message>
    <message>
        <source>motivo (obligatorio para devolver)</source>
        <translation>reason (required to send back)</translation>
    </message>
    <message>
        <source>motivo (para corregir o aceptar)</source>
        <translation>reason (to correct or accept)</translation>
    </message>
    <message>
        <source>otra persona la escribe de nuevo viendo la imagen.</source>
        <translation>another person types it again looking at the image.</translation>
    </message>
    <message>
        <source>por la coordinación</source>
        <translation>by the coordination</translation>
    </message>
    <message>
        <source>páginas</source>
        <translation>pages</translation>
    </message>
    <message>
        <source>se descarga del servidor indicado abajo</source>
        <translation>downloaded from the server given below</translation>
    </message>
    <message>
        <source>usuario</source>
        <translation>user</translation>
    </message>
    <message>
        <source>vuelve a digitalización</source>
        <translation>back to scanning</translation>
    </message>
    <message>
        <source>vuelve a la fila de captura</source>
        <translation>back in the capture queue</translation>
    </message>
    <message>
        <source>Último recibo</source>
        <translation>Last receipt</translation>
    </message>
</context>
</TS>
